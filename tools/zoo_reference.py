#!/usr/bin/python3
"""Write tests/data/zoo_reference.csv: torch's own counts for every zoo model.

Usage: tools/zoo_reference.py [NAME ...]   (default: all; rows for other models are kept)
Columns: name,input_shape,params,conv_linear_macs,matmul_macs,onnx_float_init_params,notes
All counts are at batch 1 on the export input shape (tools/export_zoo.py). The C tool's
tests compare its own parameter and MAC counts, read from models/<name>.onnx, against these.

How each column is counted
- params: sum(p.numel() for p in model.parameters()); tied weights (GPT-2's LM head)
  are one Parameter, so torch counts them once.
- conv_linear_macs: forward hooks on modules, batch 1 (count_hook_macs):
    nn.Conv2d           out_elems * (in_ch / groups) * kh * kw   (grouped/depthwise too)
    nn.ConvTranspose2d  in_elems * (out_ch / groups) * kh * kw   (each input scatters a kernel)
    nn.Linear           out_elems * in_features
    nn.MultiheadAttention (vit): its in_proj is a bare Parameter and out_proj (an nn.Linear
        subclass) is applied functionally, so hooks on them never fire: counted by hand as
        3*L*E*E (in_proj, self-attention) + L*E*E (out_proj).
    torchvision ShiftedWindowAttention (swin): qkv and proj are nn.Linear modules but are
        applied with F.linear, so hooks do not fire: counted by hand on the padded window
        tokens as T*C*3C + T*C*C.
  Biases, normalisation, activations and embedding lookups are not MACs.
- matmul_macs: activation x activation matmuls only (attention QK^T and AV), counted at the
  ATen level (DispatchCounter): every mm/addmm/bmm/baddbmm whose matrix operands do not
  live in a parameter's storage. [b,m,k] x [b,k,n] counts b*m*k*n. This covers vit
  (nn.MultiheadAttention's internal bmm), swin (q@k^T, attn@v per window), maxvit (the two
  einsums, which ATen lowers to bmm), and bert/gpt2/llama (explicit torch.matmul; llama
  counts the 32 query heads after GQA's repeat_kv). CNNs have none: 0.
  The same ATen pass also counts conv + parameter-operand matmuls; the script fails loudly
  if that disagrees with the hook count, so the hand-counted cases above are cross-checked.
- onnx_float_init_params: from the exported models/<name>.onnx, the element count of all
  floating-point initializers except inputs 3 and 4 (running mean, var) of
  BatchNormalization. Equal to params unless a float buffer is exported (see notes).
"""
import csv
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.utils._python_dispatch import TorchDispatchMode

import export_zoo as ez
import zoo_models

REF_CSV = os.path.join(ez.ROOT, "tests", "data", "zoo_reference.csv")
COLUMNS = ["name", "input_shape", "params", "conv_linear_macs", "matmul_macs",
           "onnx_float_init_params", "notes"]


def _swin_attention_macs(mod, x):
    """qkv + proj MACs of torchvision's ShiftedWindowAttention for input x [B,H,W,C]."""
    b, h, w, c = x.shape
    wh, ww = mod.window_size
    # the window attention pads H, W up to multiples of the window size
    ph, pw = math.ceil(h / wh) * wh, math.ceil(w / ww) * ww
    tokens = b * ph * pw
    return tokens * c * mod.qkv.out_features + tokens * mod.proj.in_features * mod.proj.out_features


def count_hook_macs(model, x):
    """conv_linear_macs by forward hooks (see the module docstring)."""
    from torchvision.models.swin_transformer import ShiftedWindowAttention
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1]
            total[0] += out.numel() * (mod.in_channels // mod.groups) * k
        elif isinstance(mod, nn.ConvTranspose2d):
            k = mod.kernel_size[0] * mod.kernel_size[1]
            total[0] += inp[0].numel() * (mod.out_channels // mod.groups) * k
        elif isinstance(mod, nn.Linear):
            total[0] += out.numel() * mod.in_features
        elif isinstance(mod, nn.MultiheadAttention):
            # vit calls it with keyword arguments, which torch 1.13 hooks do not see; the
            # output has the query's shape, and vit is self-attention (Lk = Lv = Lq, kdim =
            # vdim = E), which the ATen cross-check in reference_row confirms
            tokens = out[0].numel() // mod.embed_dim
            e, proj = mod.embed_dim, mod.out_proj
            total[0] += 3 * tokens * e * e + tokens * proj.in_features * proj.out_features
        elif isinstance(mod, ShiftedWindowAttention):
            total[0] += _swin_attention_macs(mod, inp[0])

    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.MultiheadAttention,
             ShiftedWindowAttention)
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, kinds)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return total[0]


class DispatchCounter(TorchDispatchMode):
    """Counts MACs of ATen convolutions and matmuls, split by whether a matrix operand
    is a parameter (weight matmul) or not (activation x activation matmul)."""

    def __init__(self, param_storages):
        super().__init__()
        self.param_storages = param_storages
        self.conv = self.weight_mm = self.act_mm = 0

    def _is_param(self, t):
        return t.storage().data_ptr() in self.param_storages

    def _mm(self, a, b, macs):
        if self._is_param(a) or self._is_param(b):
            self.weight_mm += macs
        else:
            self.act_mm += macs

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        if name == "convolution":
            inp, w, transposed = args[0], args[1], args[6]
            k = int(np.prod(w.shape[2:]))
            # weight is [Cout, Cin/g, k..] or, transposed, [Cin, Cout/g, k..]
            self.conv += (inp.numel() if transposed else out.numel()) * w.shape[1] * k
        elif name == "mm":
            self._mm(args[0], args[1], args[0].shape[0] * args[0].shape[1] * args[1].shape[1])
        elif name == "addmm":
            a, b = args[1], args[2]
            self._mm(a, b, a.shape[0] * a.shape[1] * b.shape[1])
        elif name in ("bmm", "baddbmm"):
            a, b = (args[0], args[1]) if name == "bmm" else (args[1], args[2])
            self._mm(a, b, a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2])
        elif name in ("mv", "dot", "_native_multi_head_attention",
                      "_transformer_encoder_layer_fwd"):
            raise RuntimeError(f"DispatchCounter: unhandled op {name}")
        return out


def count_dispatch_macs(model, x):
    storages = {p.storage().data_ptr() for p in model.parameters()}
    counter = DispatchCounter(storages)
    # grad enabled on purpose: under no_grad nn.MultiheadAttention takes a fused fast path
    # (one _native_multi_head_attention op) that hides its matmuls
    with torch.enable_grad(), counter:
        model(x)
    return counter.conv + counter.weight_mm, counter.act_mm


def onnx_float_init_params(path):
    """Float initializer elements in an exported file, minus BatchNorm running mean/var."""
    import onnx
    from onnx import TensorProto
    m = onnx.load(path, load_external_data=False)
    bn_stats = {i for n in m.graph.node if n.op_type == "BatchNormalization"
                for i in list(n.input)[3:5]}
    floats = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16)
    total, extra = 0, []
    for init in m.graph.initializer:
        if init.data_type in floats and init.name not in bn_stats:
            total += int(np.prod(init.dims)) if len(init.dims) else 1
            extra.append(init.name)
    return total, extra


def reference_row(spec):
    model = ez.build_model(spec)
    x = spec.example_input()
    params = sum(p.numel() for p in model.parameters())
    hook_macs = count_hook_macs(model, x)
    aten_weight_macs, matmul_macs = count_dispatch_macs(model, x)
    if aten_weight_macs != hook_macs:
        raise RuntimeError(f"{spec.name}: hook MACs {hook_macs} != ATen MACs {aten_weight_macs}")
    expected = zoo_models.EXPECTED_PARAMS.get(spec.name)
    if expected is not None and expected != params:
        raise RuntimeError(f"{spec.name}: {params} params, the original has {expected}")
    notes = ""
    path = os.path.join(ez.MODELS, spec.name + ".onnx")
    if os.path.exists(path):
        onnx_params, names = onnx_float_init_params(path)
        if onnx_params != params:
            # name the float initializers that are not parameters (buffers, usually)
            pnames = {n for n, _ in model.named_parameters()}
            others = [n for n in names if n not in pnames]
            notes = "float initializers not in parameters(): " + " ".join(others[:4])
            if len(others) > 4:
                notes += f" (+{len(others) - 4} more)"
    else:
        onnx_params, notes = -1, "no exported file"
    return {"name": spec.name, "input_shape": spec.input_shape_str(), "params": params,
            "conv_linear_macs": hook_macs, "matmul_macs": matmul_macs,
            "onnx_float_init_params": onnx_params, "notes": notes}


def main():
    names = sys.argv[1:] or [s.name for s in ez.ZOO]
    unknown = [n for n in names if n not in ez.BY_NAME]
    if unknown:
        print("unknown zoo names: " + ", ".join(unknown), file=sys.stderr)
        return 1
    rows = {}
    if os.path.exists(REF_CSV):   # keep rows of models not recomputed this time
        with open(REF_CSV, newline="") as f:
            rows = {r["name"]: r for r in csv.DictReader(f)}
    torch.set_grad_enabled(False)
    for n in names:
        row = reference_row(ez.BY_NAME[n])
        rows[n] = row
        print(",".join(str(row[c]) for c in COLUMNS), flush=True)
    os.makedirs(os.path.dirname(REF_CSV), exist_ok=True)
    with open(REF_CSV, "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        for s in ez.ZOO:   # zoo order
            if s.name in rows:
                w.writerow({c: rows[s.name].get(c, "") for c in COLUMNS})
    return 0


if __name__ == "__main__":
    sys.exit(main())

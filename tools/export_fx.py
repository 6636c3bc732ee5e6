#!/usr/bin/python3
"""Export a PyTorch model as an FX graph in JSON, for `graphs profile MODEL.json`.

Usage:
  tools/export_fx.py resnet50 -o resnet50.fx.json
  tools/export_fx.py mypkg.models:build_net --input-shape 1x3x256x256 -o net.fx.json

MODEL is a torchvision model name (built without weights) or `module:function`, where
function() returns an nn.Module (the current directory is on the import path). The model is
symbolically traced (torch.fx.symbolic_trace), shapes are propagated with ShapeProp on a
random input of --input-shape (repeat the option for several inputs), and the graph is written
as one JSON object:

  {"fx_graph": {"version": 1, "model": ..., "torch": ..., ...},
   "inputs":  [{"name", "shape", "dtype"}],
   "nodes":   [{"name", "op", "target", "args", "kwargs", "shape"/"outputs", "dtype",
                "module", "attrs", "params", "buffers", "param_count"} ...],
   "outputs": [<arg>]}

Arguments reference other nodes as {"node": NAME}; slices are {"slice": [start, stop, step]},
dtypes {"dtype": "float32"}, anything else {"repr": "..."}. A node's result is "shape" and
"dtype" for a tensor, "outputs" (a list) for tuples, "value" for plain Python numbers and
sizes. Needs Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""
import argparse
import importlib
import json
import math
import os
import sys

FORMAT_VERSION = 1


def parse_shape(text):
    """'1x3x224x224', optionally with a dtype: '2x7:int64'."""
    shape, _, dtype = text.partition(":")
    try:
        dims = [int(d) for d in shape.lower().replace(",", "x").split("x") if d]
    except ValueError:
        raise argparse.ArgumentTypeError("bad shape '%s' (expected e.g. 1x3x224x224)" % text)
    if not dims or any(d < 0 for d in dims):
        raise argparse.ArgumentTypeError("bad shape '%s'" % text)
    return (dims, dtype or None)


def build_model(spec):
    import torch
    if ":" in spec:
        module_name, func_name = spec.split(":", 1)
        sys.path.insert(0, os.getcwd())
        module = importlib.import_module(module_name)
        model = getattr(module, func_name)()
    else:
        import torchvision
        model = torchvision.models.get_model(spec, weights=None)
    if not isinstance(model, torch.nn.Module):
        raise SystemExit("export_fx: %s did not return an nn.Module" % spec)
    return model.eval()


def dtype_name(dt):
    return str(dt).replace("torch.", "")


def encode(value):
    """An argument or a plain value as JSON."""
    import torch
    import torch.fx
    if isinstance(value, torch.fx.Node):
        return {"node": value.name}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"float": str(value)}
        return value
    if isinstance(value, (list, tuple, torch.Size)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, slice):
        return {"slice": [encode(value.start), encode(value.stop), encode(value.step)]}
    if isinstance(value, torch.dtype):
        return {"dtype": dtype_name(value)}
    if value is Ellipsis:
        return {"ellipsis": True}
    if isinstance(value, torch.device):
        return {"device": str(value)}
    if isinstance(value, torch.memory_format):
        return {"repr": str(value)}
    return {"repr": repr(value)[:200]}


def simple(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return not (isinstance(v, float) and (math.isnan(v) or math.isinf(v)))
    if isinstance(v, (tuple, list)):
        return len(v) <= 64 and all(simple(x) for x in v)
    return False


def module_info(m):
    """Type, hyper-parameters (public attributes of simple types), parameter shapes."""
    import torch
    info = {"module": type(m).__name__,
            "module_path": type(m).__module__ + "." + type(m).__name__}
    attrs = {}
    for k, v in vars(m).items():
        if k == "training" or (k.startswith("_") and k != "_qkv_same_embed_dim"):
            continue
        if simple(v):
            attrs[k.lstrip("_")] = list(v) if isinstance(v, tuple) else v
    # a few hyper-parameters live in parameters/submodules rather than attributes
    if hasattr(m, "in_proj_bias"):
        attrs["has_bias"] = m.in_proj_bias is not None
    if isinstance(getattr(m, "bias", None), (torch.Tensor, type(None))) and hasattr(m, "bias"):
        attrs.setdefault("bias", m.bias is not None)
    info["attrs"] = attrs
    params = {n: list(p.shape) for n, p in m.named_parameters(recurse=True)}
    buffers = {n: list(b.shape) for n, b in m.named_buffers(recurse=True)}
    info["params"] = params
    if buffers:
        info["buffers"] = buffers
    info["param_count"] = sum(p.numel() for p in m.parameters())
    return info


def result_meta(value):
    """The node's result: a tensor's shape/dtype, a list for tuples, or a plain value."""
    import torch
    if isinstance(value, torch.Tensor):
        return {"shape": list(value.shape), "dtype": dtype_name(value.dtype)}
    if isinstance(value, torch.Size):
        return {"value": list(value)}
    if isinstance(value, (bool, int, float)) and simple(value):
        return {"value": value}
    if isinstance(value, (tuple, list)):
        outs = []
        for v in value:
            if isinstance(v, torch.Tensor):
                outs.append({"shape": list(v.shape), "dtype": dtype_name(v.dtype)})
            elif v is None:
                outs.append(None)
            elif simple(v):
                outs.append({"value": v})
            else:
                outs.append({"repr": type(v).__name__})
        if all(o is not None and "value" in o for o in outs):
            return {"value": [o["value"] for o in outs]}
        return {"outputs": outs}
    if value is None:
        return {}
    return {"repr": type(value).__name__}


def patch_proxy_unpacking():
    """torch 1.13 finds `a, b = proxy` by indexing the caller's instructions with
    f_lasti // 2, which is wrong on Python 3.11 (inline caches): look the instruction up
    by its offset instead, so that e.g. `n, c, h, w = x.shape` traces."""
    import dis
    import inspect
    import torch.fx.proxy

    def proxy_iter(self):
        frame = inspect.currentframe().f_back
        for inst in dis.get_instructions(frame.f_code):
            if inst.offset == frame.f_lasti:
                if inst.opname == "UNPACK_SEQUENCE":
                    return (self[i] for i in range(inst.argval))
                break
        return self.tracer.iter(self)

    torch.fx.proxy.Proxy.__iter__ = proxy_iter


def export(spec, shapes, dtype="float32"):
    import torch
    import torch.fx
    from torch.fx.node import _get_qualified_name
    from torch.fx.passes.shape_prop import ShapeProp

    if sys.version_info >= (3, 11):
        patch_proxy_unpacking()
    model = build_model(spec)
    gm = torch.fx.symbolic_trace(model)
    results = {}

    class Recorder(ShapeProp):
        def run_node(self, n):
            r = super().run_node(n)
            results[n.name] = result_meta(r)
            return r

    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(shapes) < len(placeholders):
        raise SystemExit("export_fx: the model has %d inputs; give --input-shape for each"
                         % len(placeholders))
    shapes = shapes[:len(placeholders)]
    dtypes = [d or dtype for _, d in shapes]
    shapes = [s for s, _ in shapes]
    example = []
    for s, d in zip(shapes, dtypes):
        tdtype = getattr(torch, d, None)
        if not isinstance(tdtype, torch.dtype):
            raise SystemExit("export_fx: unknown dtype '%s'" % d)
        example.append(torch.randn(s).to(tdtype) if tdtype.is_floating_point
                       else torch.zeros(s, dtype=tdtype))
    with torch.no_grad():
        Recorder(gm).propagate(*example)

    modules = dict(gm.named_modules())
    nodes = []
    for n in gm.graph.nodes:
        if n.op == "placeholder":
            continue
        entry = {"name": n.name, "op": n.op}
        if n.op == "call_function":
            entry["target"] = _get_qualified_name(n.target)
        elif n.op == "output":
            entry["target"] = "output"
        else:
            entry["target"] = str(n.target)
        entry["args"] = encode(list(n.args))
        entry["kwargs"] = encode(dict(n.kwargs))["dict"] if n.kwargs else {}
        if n.op == "call_module":
            entry.update(module_info(modules[n.target]))
        elif n.op == "get_attr":
            obj = gm
            for part in n.target.split("."):
                obj = getattr(obj, part)
            if isinstance(obj, torch.Tensor):
                entry["param"] = isinstance(obj, torch.nn.Parameter)
        if n.op != "output":
            entry.update(results.get(n.name, {}))
            nodes.append(entry)
        else:
            outputs = entry["args"][0]
    out_list = outputs if isinstance(outputs, list) else [outputs]
    header = {"version": FORMAT_VERSION, "model": spec, "torch": torch.__version__,
              "input_shapes": shapes, "dtype": dtype,
              "param_count": sum(p.numel() for p in model.parameters())}
    inputs = [{"name": p.name, "shape": list(s), "dtype": d}
              for p, s, d in zip(placeholders, shapes, dtypes)]
    return header, inputs, nodes, out_list


def write_json(path, header, inputs, nodes, outputs):
    """One node per line: the detector finds "fx_graph" in the first bytes, and diffs
    stay readable."""
    dump = lambda v: json.dumps(v, separators=(",", ":"), allow_nan=False)
    lines = ['{"fx_graph":' + dump(header) + ',', '"inputs":' + dump(inputs) + ',', '"nodes":[']
    lines += [dump(n) + ("," if i + 1 < len(nodes) else "") for i, n in enumerate(nodes)]
    lines += ['],', '"outputs":' + dump(outputs) + '}']
    text = "\n".join(lines) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="torchvision model name or module:function")
    ap.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    ap.add_argument("--input-shape", type=parse_shape, action="append",
                    help="input shape, e.g. 1x3x224x224 or 2x7:int64 (repeat for several "
                    "inputs)")
    ap.add_argument("--dtype", default="float32",
                    help="dtype of inputs that name none (default float32)")
    args = ap.parse_args(argv)
    shapes = args.input_shape or [([1, 3, 224, 224], None)]
    try:
        header, inputs, nodes, outputs = export(args.model, shapes, args.dtype)
    except Exception as e:  # tracing errors are the user's model's, say so plainly
        raise SystemExit("export_fx: cannot export '%s': %s: %s"
                         % (args.model, type(e).__name__, e))
    write_json(args.output, header, inputs, nodes, outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

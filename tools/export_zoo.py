#!/usr/bin/python3
"""Export the model zoo as small, weightless ONNX files under models/.

Usage: tools/export_zoo.py [--list] [--force] [NAME ...]
Without names, every zoo model is exported, each in its own subprocess (a failure or the
memory of a big model does not affect the others); existing files are kept unless --force.
Also writes models/zoo.csv. Needs Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
MODELS = os.path.join(ROOT, "models")
sys.path.insert(0, TOOLS)

OPSET = 17                 # 17 is the first opset with LayerNormalization
SMALL_INT_MAX = 64         # INT32/INT64 initializers up to this size keep their payload
SEQ = 128                  # token count for the language models


class Spec:
    """One zoo entry: how to build the model and what it eats."""

    def __init__(self, name, family, task, build, shape=(3, 224, 224), source="torchvision",
                 notes="", opset=OPSET):
        self.name, self.family, self.task, self.build = name, family, task, build
        self.shape, self.source, self.notes, self.opset = shape, source, notes, opset

    @property
    def is_tokens(self):
        return self.task in ("nlp", "llm")

    def input_shape_str(self):
        return "x".join(str(d) for d in (1,) + tuple(self.shape))

    def example_input(self):
        import torch
        if self.is_tokens:
            return torch.randint(0, 1000, (1,) + tuple(self.shape), dtype=torch.int64)
        return torch.randn((1,) + tuple(self.shape))

    def io_names(self):
        """Input name, output names and their dynamic axes for torch.onnx.export."""
        if self.name == "bert_base_uncased":
            outs = {"last_hidden_state": {0: "batch", 1: "seq"}, "pooler_output": {0: "batch"}}
        elif self.is_tokens:
            outs = {"logits": {0: "batch", 1: "seq"}}
        elif self.name.startswith("ssd_"):
            outs = {"boxes": {0: "batch"}, "scores": {0: "batch"}}
        else:
            outs = {"output": {0: "batch"}}
        if self.is_tokens:
            return "input_ids", outs, {0: "batch", 1: "seq"}
        return "input", outs, {0: "batch"}


def _tv(fn_name, **kw):
    """Builder for a torchvision classification model, never with pretrained weights."""
    def build():
        import torchvision.models as tvm
        return getattr(tvm, fn_name)(weights=None, **kw)
    return build


def _seg(fn_name):
    """Builder for a torchvision segmentation model returning only the 'out' tensor."""
    def build():
        import torch
        import torchvision.models.segmentation as seg

        class OutOnly(torch.nn.Module):
            # the models return a dict; ONNX export wants tensors
            def __init__(self, m):
                super().__init__()
                self.model = m

            def forward(self, x):
                return self.model(x)["out"]

        return OutOnly(getattr(seg, fn_name)(weights=None, weights_backbone=None, aux_loss=None))
    return build


def _own(fn_name):
    def build():
        import zoo_models
        return getattr(zoo_models, fn_name)()
    return build


def _zoo():
    z = []

    def tv(name, family):
        z.append(Spec(name, family, "classification", _tv(name)))

    for n in ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152"):
        tv(n, "resnet")
    for n in ("resnext50_32x4d", "resnext101_32x8d"):
        tv(n, "resnext")
    for n in ("wide_resnet50_2", "wide_resnet101_2"):
        tv(n, "wide_resnet")
    for n in ("vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg16_bn"):
        tv(n, "vgg")
    tv("mobilenet_v2", "mobilenet")
    tv("mobilenet_v3_small", "mobilenet")
    tv("mobilenet_v3_large", "mobilenet")
    # all EfficientNets at 224x224 (not their native resolutions) to match the ground truth
    for i in range(8):
        tv(f"efficientnet_b{i}", "efficientnet")
    tv("efficientnet_v2_s", "efficientnet")
    for n in ("regnet_x_400mf", "regnet_y_400mf", "regnet_x_1_6gf", "regnet_y_1_6gf"):
        tv(n, "regnet")
    for n in ("densenet121", "densenet169"):
        tv(n, "densenet")
    for n in ("squeezenet1_0", "squeezenet1_1"):
        tv(n, "squeezenet")
    for n in ("shufflenet_v2_x1_0", "shufflenet_v2_x0_5"):
        tv(n, "shufflenet")
    for n in ("mnasnet1_0", "mnasnet0_5"):
        tv(n, "mnasnet")
    z.append(Spec("googlenet", "inception", "classification",
                  _tv("googlenet", aux_logits=False, init_weights=False),
                  notes="aux_logits=False"))
    z.append(Spec("inception_v3", "inception", "classification",
                  _tv("inception_v3", aux_logits=False, init_weights=False),
                  shape=(3, 299, 299), notes="aux_logits=False"))
    tv("alexnet", "alexnet")
    for n in ("convnext_tiny", "convnext_small"):
        tv(n, "convnext")
    for n in ("vit_b_16", "vit_b_32"):
        tv(n, "vit")
    for n in ("swin_t", "swin_s"):
        tv(n, "swin")
    tv("maxvit_t", "maxvit")
    for n, fam in (("fcn_resnet50", "fcn"), ("deeplabv3_resnet50", "deeplabv3"),
                   ("deeplabv3_mobilenet_v3_large", "deeplabv3"),
                   ("lraspp_mobilenet_v3_large", "lraspp")):
        z.append(Spec(n, fam, "segmentation", _seg(n), source="torchvision.models.segmentation",
                      notes="aux_loss off; exports only the 'out' tensor"))
    z.append(Spec("bert_base_uncased", "bert", "nlp", _own("bert_base_uncased"), shape=(SEQ,),
                  source="tools/zoo_models.py",
                  notes="BERT-base encoder+pooler; input_ids [batch x seq]; seq dynamic"))
    z.append(Spec("gpt2", "gpt2", "llm", _own("gpt2"), shape=(SEQ,),
                  source="tools/zoo_models.py",
                  notes="GPT-2 small; tied LM head; causal mask; seq dynamic"))
    z.append(Spec("llama_decoder", "llama", "llm", _own("llama_decoder"), shape=(SEQ,),
                  source="tools/zoo_models.py",
                  notes="TinyLlama-1.1B dims; GQA 32/4 heads; RMSNorm; RoPE; SwiGLU; prefill"))
    z.append(Spec("yolov5s", "yolo", "detection", _own("yolov5s"), shape=(3, 640, 640),
                  source="tools/zoo_models.py",
                  notes="YOLOv5s v6.0 layout; 80 classes; decoded boxes [batch x 25200 x 85]"))
    # second batch (issue 11): torchvision classifiers that published tables use or that
    # complete a family. Not yet exported (export time on a shared machine): vgg19_bn,
    # efficientnet_v2_l, regnet_*_8gf/16gf/32gf, vit_h_14, regnet_y_128gf. swin_v2_t/s/b do
    # not export with torch 1.13 (no ONNX symbolic for aten::zero).
    for n in ("resnext101_64x4d",):
        tv(n, "resnext")
    for n in ("vgg13_bn",):
        tv(n, "vgg")
    for n in ("efficientnet_v2_m",):
        tv(n, "efficientnet")
    for n in ("regnet_x_800mf", "regnet_y_800mf", "regnet_x_3_2gf", "regnet_y_3_2gf"):
        tv(n, "regnet")
    for n in ("densenet161", "densenet201"):
        tv(n, "densenet")
    for n in ("shufflenet_v2_x1_5", "shufflenet_v2_x2_0"):
        tv(n, "shufflenet")
    for n in ("mnasnet0_75", "mnasnet1_3"):
        tv(n, "mnasnet")
    for n in ("convnext_base", "convnext_large"):
        tv(n, "convnext")
    for n in ("vit_l_16", "vit_l_32"):
        tv(n, "vit")
    for n in ("swin_b",):
        tv(n, "swin")

    def own(name, family, task, shape, notes):
        z.append(Spec(name, family, task, _own(name), shape=shape,
                      source="tools/zoo_models.py", notes=notes))

    own("resnext101_32x4d", "resnext", "classification", (3, 224, 224),
        "torchvision ResNet with groups=32 width 4 (NVIDIA DLE ResNeXt101-32x4d)")
    own("se_resnext101_32x4d", "resnext", "classification", (3, 224, 224),
        "ResNeXt101-32x4d + squeeze-excitation (NVIDIA DLE)")
    z.append(Spec("bert_large_uncased", "bert", "nlp", _own("bert_large_uncased"), shape=(SEQ,),
                  source="tools/zoo_models.py",
                  notes="BERT-large encoder+pooler; 24 layers hidden 1024; seq dynamic"))
    for sc in "nsmlx":
        own(f"yolov8{sc}", "yolo", "detection", (3, 640, 640),
            "Ultralytics yolov8.yaml; 80 classes; decoded output [batch x 84 x 8400]")
    for sc in "nsmlx":
        own(f"yolo11{sc}", "yolo", "detection", (3, 640, 640),
            "Ultralytics yolo11.yaml; 80 classes; decoded output [batch x 84 x 8400]")
    own("mobilenet_v1", "mobilenet", "classification", (3, 224, 224),
        "MobileNet v1 1.0 (TF-slim layout, ReLU6); 4,231,976 params")
    for i, side in enumerate((224, 240, 260, 280, 300)):
        own(f"efficientnet_lite{i}", "efficientnet_lite", "classification", (3, side, side),
            "EfficientNet without SE, ReLU6, fixed stem/head; native resolution")
    own("ssd_mobilenet_v1", "ssd", "detection", (3, 300, 300),
        "TF OD API ssd_mobilenet_v1_coco (MLPerf ssd-mobilenet); 1917 anchors, 91 classes; "
        "raw box encodings and class logits, no decode/NMS")
    return z


ZOO = _zoo()
BY_NAME = {s.name: s for s in ZOO}


def build_model(spec):
    """Build the model in eval mode. Shared with zoo_reference.py."""
    import torch
    torch.manual_seed(0)
    model = spec.build()
    model.eval()
    return model


def _randomize_floats(model):
    """Give every float parameter and buffer distinct random values.

    torch.onnx.export (1.13) deduplicates initializers BY VALUE when the model is not in
    training mode; with weights=None every BatchNorm/LayerNorm weight is all-ones and every
    bias all-zeros, so same-shaped ones would be merged and parameter counts would drop.
    The payloads are stripped afterwards, so the values themselves do not matter.
    """
    import torch
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point():
                t.uniform_(0.5, 1.5)   # positive: also valid BatchNorm running_var


def strip_weights(proto, weights_file):
    """Drop initializer payloads in place, keeping dims/dtype; small int shapes stay inline."""
    import onnx
    from onnx import TensorProto
    offset = 0
    for init in proto.graph.initializer:
        numel = int(np.prod(init.dims)) if len(init.dims) else 1
        if init.data_type in (TensorProto.INT64, TensorProto.INT32) and numel <= SMALL_INT_MAX:
            continue   # shape constants (Reshape targets ...) the C tool can fold
        nbytes = numel * onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[init.data_type].itemsize
        for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data",
                      "uint64_data", "string_data"):
            init.ClearField(field)
        del init.external_data[:]
        init.data_location = TensorProto.EXTERNAL
        # where the data would sit in a weights file we do not ship
        for key, value in (("location", weights_file), ("offset", str(offset)),
                           ("length", str(nbytes))):
            entry = init.external_data.add()
            entry.key, entry.value = key, value
        offset += (nbytes + 63) // 64 * 64   # 64-byte aligned, like onnx's own writer
    # intermediate shapes: the C tool must infer them itself
    del proto.graph.value_info[:]


def fix_output_dims(proto, shapes, dynamic):
    """Declare static output dims that torch left symbolic (e.g. 'Resizeoutput_dim_2').

    torch names a dim when its export-time shape inference cannot prove it constant; only
    the batch/seq axes are really dynamic here, so the others get torch's runtime sizes.
    """
    for out, shape in zip(proto.graph.output, shapes):
        dims = out.type.tensor_type.shape.dim
        assert len(dims) == len(shape), out.name
        for d, n in zip(dims, shape):
            if d.HasField("dim_param") and d.dim_param not in dynamic:
                d.dim_value = n   # setting the oneof field clears dim_param


def export_one(spec, out_dir=MODELS):
    """Export one model to out_dir/<name>.onnx; returns the opset used."""
    import onnx
    import torch
    model = build_model(spec)
    _randomize_floats(model)
    x = spec.example_input()
    with torch.no_grad():
        y = model(x)
    out_shapes = [t.shape for t in (y if isinstance(y, (tuple, list)) else (y,))]
    in_name, outs, in_axes = spec.io_names()
    dynamic_axes = {in_name: in_axes, **outs}
    with tempfile.TemporaryDirectory() as tmp:
        # export into a scratch directory: models over 2 GB come out with external data files
        tmp_path = os.path.join(tmp, spec.name + ".onnx")
        last_err = None
        for opset in range(spec.opset, 12, -1):   # fall back 17 -> 13 if an op needs it
            try:
                torch.onnx.export(
                    model, (x,), tmp_path, input_names=[in_name], output_names=list(outs),
                    dynamic_axes=dynamic_axes, opset_version=opset,
                    # no folding: it would merge/rewrite parameters (e.g. swin's gathered
                    # relative position table) and change parameter counts
                    do_constant_folding=False,
                    # PRESERVE with an eval model: EVAL would fold BatchNorm into Conv
                    training=torch.onnx.TrainingMode.PRESERVE)
                break
            except Exception as e:   # noqa: BLE001 - report and try the next opset
                last_err = e
                print(f"{spec.name}: opset {opset} failed: {e}", file=sys.stderr)
        else:
            raise RuntimeError(f"{spec.name}: export failed: {last_err}")
        del model
        proto = onnx.load(tmp_path, load_external_data=False)
    strip_weights(proto, spec.name + ".weights")
    fix_output_dims(proto, out_shapes, {a for axes in outs.values() for a in axes.values()})
    os.makedirs(out_dir, exist_ok=True)
    onnx.save(proto, os.path.join(out_dir, spec.name + ".onnx"))
    return opset


def write_zoo_csv(path=os.path.join(MODELS, "zoo.csv")):
    """One row per zoo model; the opset is read back from the exported file when present."""
    import onnx
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "family", "task", "input_shape", "source", "opset", "notes"])
        for s in ZOO:
            fpath = os.path.join(MODELS, s.name + ".onnx")
            opset = ""
            if os.path.exists(fpath):
                m = onnx.load(fpath, load_external_data=False)
                opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
            notes = s.notes
            if opset and opset != OPSET:
                notes = (notes + "; " if notes else "") + f"opset {OPSET} failed, used {opset}"
            w.writerow([s.name, s.family, s.task, s.input_shape_str(), s.source, opset, notes])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="zoo names (default: all)")
    ap.add_argument("--force", action="store_true", help="re-export existing files")
    ap.add_argument("--list", action="store_true", help="print the zoo names and exit")
    ap.add_argument("--csv-only", action="store_true", help="only rewrite models/zoo.csv")
    args = ap.parse_args()
    if args.list:
        print("\n".join(s.name for s in ZOO))
        return 0
    unknown = [n for n in args.names if n not in BY_NAME]
    if unknown:
        print("unknown zoo names: " + ", ".join(unknown), file=sys.stderr)
        return 1
    if args.csv_only:
        write_zoo_csv()
        return 0
    if len(args.names) == 1:
        # child mode: export exactly one model in this process
        spec = BY_NAME[args.names[0]]
        opset = export_one(spec)
        size = os.path.getsize(os.path.join(MODELS, spec.name + ".onnx"))
        print(f"{spec.name}: opset {opset}, {size / 1024:.1f} KiB")
        return 0
    failed = []
    for spec in (BY_NAME[n] for n in args.names) if args.names else ZOO:
        if not args.force and os.path.exists(os.path.join(MODELS, spec.name + ".onnx")):
            print(f"{spec.name}: exists, skipped")
            continue
        cmd = [sys.executable, os.path.abspath(__file__), spec.name]
        if subprocess.call(cmd) != 0:
            failed.append(spec.name)
    write_zoo_csv()
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

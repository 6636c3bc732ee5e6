#!/usr/bin/python3
"""Rebuild data/published/nvidia_dle.csv from a mirror of NVIDIA/DeepLearningExamples.

Reads the inference-performance markdown tables of the READMEs listed in FILES.
For each table it takes the GPU from the enclosing headings, the precision from
the column header, the line above the table or the heading (in that order), and
keeps the average throughput and the average latency per batch size (the median
where a README's average is known to include warm-up: see FILES). Other percentile
latencies and speed-up columns are left out; training tables are skipped. The
runtime is the framework, or its XLA variant where the README's scripts turn XLA on.

    /usr/bin/python3 tools/published/nvidia_dle.py /work/.mirror/NVIDIA+DeepLearningExamples/repo
"""
import re

import pubcommon as pc

REPO = "NVIDIA/DeepLearningExamples"

# Harnesses whose timed step holds host work besides the network (data/published/README.md,
# "What the TensorFlow tables time"); a table's rows name theirs in the source column
# ("; harness NAME"), and a fit gives each its own costs per step and per op (docs/published.md).
# TF1 ConvNets: Estimator.evaluate session.run steps, tf.data JPEG decode on the CPU, metric ops.
TF1_CONVNETS = "TensorFlow/Classification/ConvNets main.py --mode=inference_benchmark"
# TF2 ConvNets (EfficientNet v1/v2): Keras model.evaluate steps, callback to callback.
TF2_CONVNETS = "TensorFlow2/Classification/ConvNets main.py --mode eval"
# TF1 BERT: Estimator.predict session.run steps (utils.LogEvalRunHook).
TF1_BERT = "TensorFlow/LanguageModeling/BERT run_squad.py --do_predict"

# path -> defaults. model/zoo/mapping: the network; runtime: the framework the
# README's numbers come from; res: input side for image models (None: a Resolution
# column or a per-model value); seq: language model (shape is batch x sequence);
# harness: see above (none: the step is the network's own time).
FILES = {
    "PyTorch/Classification/ConvNets/resnet50v1.5/README.md":
        dict(model="ResNet-50 v1.5", zoo="resnet50", mapping="same_arch", runtime="pytorch", res=224),
    "PyTorch/Classification/ConvNets/resnext101-32x4d/README.md":
        dict(model="ResNeXt101-32x4d", zoo="resnext101_32x4d", mapping="same_arch", runtime="pytorch", res=224),
    "PyTorch/Classification/ConvNets/se-resnext101-32x4d/README.md":
        dict(model="SE-ResNeXt101-32x4d", zoo="se_resnext101_32x4d", mapping="same_arch",
             runtime="pytorch", res=224),
    "PyTorch/Classification/ConvNets/efficientnet/README.md":
        dict(model=None, runtime="pytorch", res=None),
    "PyTorch/Classification/ConvNets/triton/resnet50/README.md":
        dict(model="ResNet-50 v1.5", zoo="resnet50", mapping="same_arch", runtime="triton", res=224),
    "TensorFlow/Classification/ConvNets/resnet50v1.5/README.md":
        dict(model="ResNet-50 v1.5", zoo="resnet50", mapping="same_arch", runtime="tensorflow", res=224,
             harness=TF1_CONVNETS),
    "TensorFlow/Classification/ConvNets/resnext101-32x4d/README.md":
        dict(model="ResNeXt101-32x4d", zoo="resnext101_32x4d", mapping="same_arch", runtime="tensorflow", res=224,
             harness=TF1_CONVNETS),
    "TensorFlow/Classification/ConvNets/se-resnext101-32x4d/README.md":
        dict(model="SE-ResNeXt101-32x4d", zoo="se_resnext101_32x4d", mapping="same_arch",
             runtime="tensorflow", res=224, harness=TF1_CONVNETS),
    "TensorFlow/Classification/ConvNets/triton/README.md":
        dict(model="ResNet-50 v1.5", zoo="resnet50", mapping="same_arch", runtime="triton", res=224),
    # XLA on: every evaluation/inference script of these READMEs passes --use_xla
    # (efficientnet_v1/B0/evaluation/*.sh, efficientnet_v2/S/evaluation/*.sh), which sets
    # tf.config.optimizer.set_jit and --tf_xla_auto_jit=1 (utils/setup.py)
    "TensorFlow2/Classification/ConvNets/efficientnet_v1/README.md":
        dict(model=None, runtime="tensorflow_xla", res=None, harness=TF2_CONVNETS),
    "TensorFlow2/Classification/ConvNets/efficientnet_v2/README.md":
        dict(model="EfficientNet v2-S", zoo="efficientnet_v2_s", mapping="same_arch", runtime="tensorflow_xla",
             res=None, harness=TF2_CONVNETS),
    "MxNet/Classification/RN50v1.5/README.md":
        dict(model="ResNet-50 v1.5", zoo="resnet50", mapping="same_arch", runtime="mxnet", res=224),
    "PaddlePaddle/Classification/RN50v1.5/README.md":
        dict(model="ResNet-50 v1.5", zoo="resnet50", mapping="same_arch", runtime="paddle", res=224),
    # XLA on: scripts/finetune_inference_benchmark.sh passes --use_xla to run_squad.py.
    # lat: run_squad.py's 'Latency Average' is the mean of every session.run, the first
    # (XLA compile, seconds: the T4 table's Latency-100% column) included, while its
    # throughput leaves the slowest 1% out; the median (Latency-50%) is taken where the
    # table has one, and no latency otherwise
    "TensorFlow/LanguageModeling/BERT/README.md":
        dict(model=None, runtime="tensorflow_xla", seq=True, lat=r"^latency-50%", harness=TF1_BERT),
    # XLA on: scripts/finetune_inference_benchmark.sh runs run_inference_benchmark*.sh with
    # use_xla=true (--enable_xla); the first 4 steps are left out of every figure
    "TensorFlow2/LanguageModeling/BERT/README.md":
        dict(model=None, runtime="tensorflow_xla", seq=True),
    "PyTorch/LanguageModeling/BERT/README.md":
        dict(model="BERT-Large", zoo="bert_large_uncased", mapping="same_arch", runtime="pytorch", seq=True),
    "PaddlePaddle/LanguageModeling/BERT/README.md":
        dict(model="BERT-Large", zoo="bert_large_uncased", mapping="same_arch", runtime="paddle", seq=True),
}

# Model names found in Model columns or above tables -> (model, zoo, mapping, side)
MODELS = [
    (r"efficientnet-widese-b0", ("efficientnet-widese-b0", "efficientnet_b0", "different", 224)),
    (r"efficientnet-widese-b4", ("efficientnet-widese-b4", "efficientnet_b4", "different", 380)),
    (r"efficientnet-quant-b0", ("efficientnet-quant-b0", "efficientnet_b0", "same_arch", 224)),
    (r"efficientnet-quant-b4", ("efficientnet-quant-b4", "efficientnet_b4", "same_arch", 380)),
    (r"efficientnet-b0", ("efficientnet-b0", "efficientnet_b0", "same_arch", 224)),
    (r"efficientnet-b4", ("efficientnet-b4", "efficientnet_b4", "same_arch", 380)),
    (r"EfficientNet v1-B0", ("EfficientNet v1-B0", "efficientnet_b0", "same_arch", 224)),
    (r"EfficientNet v1-B4", ("EfficientNet v1-B4", "efficientnet_b4", "same_arch", 380)),
    (r"^base$|BERT-?Base", ("BERT-Base", "bert_base_uncased", "same_arch", None)),
    (r"^large$|BERT-?Large", ("BERT-Large", "bert_large_uncased", "same_arch", None)),
]

# GPU text in a heading -> (hardware name, registry id). DGX-1 carries V100 SXM2,
# DGX-2 V100 SXM3, DGX A100 the SXM4 A100 (40 or 80 GB).
GPUS = [
    (r"A100 80\s*GB", ("NVIDIA A100 SXM4 80GB (DGX A100)", "nvidia_a100_sxm4_80gb")),
    (r"A100 40\s*GB?", ("NVIDIA A100 SXM4 40GB (DGX A100)", "nvidia_a100_sxm4_40gb")),
    (r"DGX-2.*V100 32\s*GB?", ("NVIDIA V100 SXM3 32GB (DGX-2)", "nvidia_v100_sxm3_32gb")),
    (r"V100 32\s*GB?", ("NVIDIA V100 SXM2 32GB (DGX-1)", "nvidia_v100_sxm2")),
    (r"V100 16\s*GB?|DGX-1.*16\s*GB", ("NVIDIA V100 SXM2 16GB (DGX-1)", "nvidia_v100_sxm2")),
    (r"\bT4\b", ("NVIDIA T4", "nvidia_t4")),
    (r"\bA30\b", ("NVIDIA A30 24GB", "nvidia_a30")),
    (r"\bA10\b", ("NVIDIA A10 24GB", "nvidia_a10")),
    (r"\bA40\b", ("NVIDIA A40", "nvidia_a40")),
]

NUM = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)")


def cells(line):
    return [c.replace("*", "").replace("\\", "").strip() for c in line.strip().strip("|").split("|")]


def tables(text):
    """Yield (headings, label, header, rows) for each markdown table outside code fences."""
    heads, label, fence = {}, "", False
    cur = None
    # Drop HTML comments first: some READMEs keep hidden tables and '#' lines in them
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    for ln in text.splitlines() + [""]:
        # CommonMark: any ``` line opens a fence, only a bare ``` line closes it
        if fence and re.fullmatch(r"\s*```\s*", ln):
            fence = False
            continue
        if not fence and ln.strip().startswith("```"):
            fence = True
            continue
        if not fence and ln.lstrip().startswith("|"):
            if cur is None:
                cur = [dict(heads), label, cells(ln), []]
            elif not re.fullmatch(r"[\s|:\-]+", ln):
                cur[3].append(cells(ln))
            continue
        if cur is not None:
            yield cur
            cur = None
        if fence:
            continue
        m = re.match(r"^(#+)\s+(.*)", ln)
        if m:
            lv = len(m.group(1))
            heads = {k: v for k, v in heads.items() if k < lv}
            heads[lv] = m.group(2).strip()
            label = ""
        elif ln.strip() and not ln.strip().startswith("<"):
            label = ln.strip().replace("*", "")
            if len(label) > 80:
                label = label[:77] + "..."



def find_col(header, pattern, exclude=None):
    out = []
    for n, h in enumerate(header):
        if re.search(pattern, h, re.I) and not (exclude and re.search(exclude, h, re.I)):
            out.append(n)
    return out


def precision_in(text, runtime):
    t = text.lower()
    if "int8" in t:
        return "int8"
    if "mixed" in t or re.search(r"\bamp\b", t):
        return "amp"
    if "tf32" in t:
        return "tf32"
    if "fp16" in t:
        # FP16 in a framework README means its automatic mixed precision mode
        return "fp16" if "tensorrt" in runtime or "trt" in runtime else "amp"
    if "fp32" in t:
        return "fp32"
    return ""


def model_from(text):
    for pat, spec in MODELS:
        if re.search(pat, text, re.I):
            return spec
    return None


def runtime_for(default, path_text, label):
    if default == "triton":
        if re.search(r"ONNX Runtime TensorRT", path_text):
            return "triton_onnxruntime_tensorrt"
        if re.search(r"TF-TRT", path_text):
            return "triton_tf_trt"
        if re.search(r"TensorRT", path_text):
            return "triton_tensorrt"
        return "triton"
    if default == "paddle" and re.search(r"Paddle-TRT", path_text):
        return "paddle_tensorrt"
    if default == "tensorflow" and re.search(r"\bXLA\b", label):
        return "tensorflow_xla"
    return default


def gpu_for(heads):
    for lv in sorted(heads, reverse=True):
        for pat, spec in GPUS:
            if re.search(pat, heads[lv]):
                return spec
    return None


def rows_for(repo, commit, path, cfg, odd):
    text = pc.show(repo, commit, path)
    out = []
    for heads, label, header, body in tables(text):
        path_text = " > ".join(heads[k] for k in sorted(heads))
        if not re.search(r"inference|Paddle-TRT|Offline", path_text, re.I) \
                or re.search(r"Online|Training", path_text):
            continue
        c_batch = find_col(header, r"batch", r"accumulat")
        c_thr = find_col(header, r"throughput|inferences/second", r"speedup|speed-up")
        c_lat = find_col(header, cfg.get("lat", r"(avg|average).*latency|latency.*(avg|average)"), r"speedup")
        if cfg.get("lat") and not c_lat and c_thr:
            odd.append("%s: '%s' has no %s column, its latencies left out"
                       % (path, path_text, cfg["lat"]))
        if not c_batch or not (c_thr or c_lat):
            continue
        gpu = gpu_for(heads)
        if gpu is None:
            odd.append("%s: no GPU named in '%s', table skipped" % (path, path_text))
            continue
        hw, reg = gpu
        runtime = runtime_for(cfg["runtime"], path_text, label)
        c_model = find_col(header, r"^model$")
        c_prec = find_col(header, r"^precision$")
        c_res = find_col(header, r"resolution")
        c_seq = find_col(header, r"sequence length")
        deepest = heads[max(heads)]
        for r in body:
            if len(r) < len(header):
                r = r + [""] * (len(header) - len(r))
            spec = None
            if c_model:
                spec = model_from(r[c_model[0]])
            elif cfg.get("model") is None:
                spec = model_from(label) or model_from(path_text)
            if spec is None and cfg.get("model") is None:
                odd.append("%s: no model for a row of '%s'" % (path, path_text))
                continue
            if spec:
                model, zoo, mapping, side = spec
            else:
                model, zoo, mapping, side = cfg["model"], cfg.get("zoo", ""), cfg.get("mapping", ""), cfg.get("res")
            bm = NUM.match(r[c_batch[0]])
            if not bm:
                odd.append("%s: batch cell %r not a number" % (path, r[c_batch[0]]))
                continue
            batch = bm.group(1)
            if cfg.get("seq"):
                seq = NUM.match(r[c_seq[0]]).group(1) if c_seq else ""
                shape = "%sx%s" % (batch, seq) if seq else ""
            else:
                if c_res and re.fullmatch(r"\d+x\d+", r[c_res[0]].strip()):
                    h, w = r[c_res[0]].strip().split("x")
                else:
                    h = w = str(side or cfg.get("res") or "")
                shape = "%sx3x%sx%s" % (batch, h, w) if h else ""
            row_prec = precision_in(r[c_prec[0]], runtime) if c_prec else ""
            for metric, cols in (("throughput_fps", c_thr), ("latency_ms", c_lat)):
                for c in cols:
                    prec = (precision_in(header[c], runtime) or row_prec
                            or precision_in(label, runtime) or precision_in(deepest, runtime)
                            or precision_in(path_text, runtime))
                    if prec == "tf32" and re.search(r"\b(V100|T4)\b", hw):
                        odd.append("%s: '%s' labels %s on %s as TF32, which that GPU lacks; "
                                   "recorded as fp32" % (path, deepest, label or header[c], hw))
                        prec = "fp32"
                    if not prec:
                        odd.append("%s: no precision for '%s' / '%s'" % (path, path_text, header[c]))
                        continue
                    vm = NUM.match(r[c])
                    if not vm or not r[c].strip():
                        odd.append("%s: '%s' batch %s %s cell %r not a number, skipped"
                                   % (path, deepest, batch, header[c], r[c]))
                        continue
                    where = "table under '%s'%s, column '%s'" % (
                        deepest, (" after '%s'" % label) if label else "", header[c])
                    out.append(pc.row(
                        hardware=hw, registry_id=reg, runtime=runtime, precision=prec,
                        model=model, zoo_model=zoo, mapping=mapping, batch=batch,
                        input_shape=shape, metric=metric, value=vm.group(1),
                        source="%s %s@%s %s%s" % (REPO, path, commit, where,
                                                  "; harness " + cfg["harness"] if cfg.get("harness") else "")))
    return out


def main():
    repo, commit, out = pc.main_args(pc.out_path("nvidia_dle.csv"))
    rows, odd = [], []
    for path, cfg in FILES.items():
        got = rows_for(repo, commit, path, cfg, odd)
        print("%-70s %4d rows" % (path, len(got)))
        rows += got
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s@%s" % (out, n, REPO, commit))
    for o in odd:
        print("note:", o)


if __name__ == "__main__":
    main()

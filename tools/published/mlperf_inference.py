#!/usr/bin/python3
"""Rebuild data/published/mlperf_inference_<round>.csv from a mirror of
mlcommons/inference_results_<round> (v1.1, v1.0: the round is read from the mirror's
path, owner+name as the fetch tool names it; v1.1 when the path names none).

Closed division, single-node systems with at most one accelerator (MIG slices
and multi-tenant runs left out); for every benchmark the Offline result
("Samples per second", throughput_fps) and the SingleStream result ("90th
percentile latency (ns)", converted to ms by an exact division by 10^6) of
performance/run_1/mlperf_log_summary.txt, VALID runs only.

    /usr/bin/python3 tools/published/mlperf_inference.py /work/.mirror/mlcommons+inference_results_v1.1/repo
    /usr/bin/python3 tools/published/mlperf_inference.py /work/.mirror/mlcommons+inference_results_v1.0/repo
"""
import decimal
import json
import re

import pubcommon as pc

import sys


def round_of(path):
    m = re.search(r"inference_results_(v\d+\.\d+)", path)
    return m.group(1) if m else "v1.1"


ROUND = round_of(sys.argv[1]) if len(sys.argv) > 1 else "v1.1"
REPO = "mlcommons/inference_results_" + ROUND

# accelerator (or CPU) name -> registry id
REGISTRY = [
    (r"A100-PCIe-40GB", "nvidia_a100_pcie_40gb"),
    (r"A100-PCIe-80GB", "nvidia_a100_pcie_80gb"),
    (r"A100-SXM-80GB$", "nvidia_a100_sxm4_80gb"),
    (r"\bT4$", "nvidia_t4"),
    (r"\bA30$", "nvidia_a30"),
    (r"\bA10$", "nvidia_a10"),
    (r"AGX Xavier$", "jetson_xavier_agx_gpu"),
    (r"Xavier NX$", "jetson_xavier_nx_gpu"),
]
# Ids that name only part of the accelerator: NVIDIA's Xavier Offline configs run the
# GPU and both DLAs together (configs/*/Offline: "GPU + 2 DLA QPS"), while SingleStream
# runs on the GPU alone, so the Xavier GPU ids are given to SingleStream rows only.
GPU_ONLY_IN_SINGLESTREAM = ("jetson_xavier_agx_gpu", "jetson_xavier_nx_gpu")

# benchmark -> (zoo model, mapping, SingleStream input shape)
BENCH = {
    "resnet50": ("resnet50", "same_arch", "1x3x224x224"),  # MLPerf ResNet-50 v1.5
    "ssd-mobilenet": ("ssd_mobilenet_v1", "same_arch", "1x3x300x300"),  # ssd_mobilenet_v1_coco
    "ssd-resnet34": ("", "", "1x3x1200x1200"),
    "bert-99": ("bert_large_uncased", "same_arch", "1x384"),   # BERT-Large, SQuAD
    "bert-99.9": ("bert_large_uncased", "same_arch", "1x384"),
}


def runtime_of(sysname, framework):
    f = framework.lower()
    if "tensorrt" in f or sysname.endswith("_TRT") or "_TRT_" in sysname:
        rt = "tensorrt"
    elif "openvino" in f:
        rt = "openvino"
    elif "armnn" in f:
        rt = "armnn"
    elif "tflite" in f or "tensorflow-lite" in f:
        rt = "tflite"
    elif "tvm" in f:
        rt = "tvm"
    elif "qualcomm cloud ai sdk" in f:
        rt = "qaic"
    elif "mera" in f:
        rt = "edgecortix_mera"
    elif "furiosa" in f:
        rt = "furiosa_sdk"
    elif "pytorch" in f:
        rt = "pytorch"
    else:
        rt = f.split()[0] if f else "?"
    if "Triton" in sysname:
        rt = "triton_" + rt
    return rt


def dtype(text):
    t = text.lower()
    if "int8" in t and ("bfloat16" in t or "bf16" in t):
        return "int8+bf16"
    for pat, name in ((r"u?int8", "int8"), (r"fp16|float16|half", "fp16"),
                      (r"bf16|bfloat16", "bf16"), (r"fp32|float32", "fp32")):
        if re.search(pat, t):
            return name
    return ""


def precision_of(meas, sysname):
    """Compute precision from the weight data type (activations/inputs may be int32
    token ids or uint8 pixels); fall back to a type named in the system's own name."""
    p = dtype(meas.get("weight_data_types") or "") or dtype(meas.get("input_data_types") or "")
    if not p:
        p = dtype(sysname)
    return p


def summary_value(text, key):
    m = re.search(r"^%s\s*:\s*([0-9.]+)\s*$" % re.escape(key), text, re.M)
    return m.group(1) if m else None


def ns_to_ms(ns):
    d = decimal.Decimal(ns) / decimal.Decimal(1000000)
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def main():
    repo, commit, out = pc.main_args(pc.out_path("mlperf_inference_%s.csv" % ROUND))
    files = pc.ls_tree(repo, commit, "closed")
    fileset = set(files)
    rows, odd, kept, copies = [], [], [], []
    for f in files:
        m = re.fullmatch(r"closed/([^/]+)/systems/([^/]+)\.json", f)
        if not m:
            continue
        sub, sysname = m.groups()
        j = json.loads(pc.show(repo, commit, f))
        n_acc = int(str(j.get("accelerators_per_node") or 0))
        acc = (j.get("accelerator_model_name") or "").strip()
        if n_acc > 1 or "MIG" in sysname or "Hetero" in sysname or int(j.get("number_of_nodes") or 1) != 1:
            continue
        cpu = (j.get("host_processor_model_name") or "").strip()
        if n_acc == 1:
            hw = "%s (%s) [%s]" % (acc, j.get("system_name", sysname), sysname)
            key = acc
        else:
            hw = "%s x%s (%s) [%s]" % (cpu, j.get("host_processors_per_node", "?"),
                                       j.get("system_name", sysname), sysname)
            key = cpu
        reg = next((r for p, r in REGISTRY if re.search(p, key)), "")
        framework = j.get("framework") or ""
        runtime = runtime_of(sysname, framework)
        kept.append(sysname)
        prefix = "closed/%s/results/%s/" % (sub, sysname)
        for p in sorted(x for x in files if x.startswith(prefix) and x.endswith("performance/run_1/mlperf_log_summary.txt")):
            parts = p[len(prefix):].split("/")
            bench, dir_scenario = parts[0], parts[1]
            if dir_scenario.lower() not in ("offline", "singlestream"):
                continue
            text = pc.show(repo, commit, p)
            if not re.search(r"^Result is\s*:\s*VALID", text, re.M):
                odd.append("%s: result not VALID, skipped" % p)
                continue
            sm = re.search(r"^Scenario\s*:\s*(\S+)", text, re.M)
            scenario = sm.group(1) if sm else dir_scenario
            if scenario.lower() != dir_scenario.lower():
                # a copy of the other scenario's log filed under this folder: the run is
                # already taken from its own folder, so this one is not counted twice
                copies.append(p)
                continue
            mdir = ("closed/%s/measurements/%s/%s/%s/" % (sub, sysname, bench, dir_scenario)).lower()
            mjson = sorted(x for x in fileset if x.lower().startswith(mdir) and x.endswith(".json"))
            meas = json.loads(pc.show(repo, commit, mjson[0])) if mjson else {}
            prec = precision_of(meas, sysname)
            if not prec:
                odd.append("%s: data types %r / %r not understood, precision left empty"
                           % (p, meas.get("weight_data_types"), meas.get("input_data_types")))
            zoo, mapping, shape = BENCH.get(bench, ("", "", ""))
            src = "%s %s@%s (framework: %s)" % (REPO, p, commit, framework)
            if scenario.lower() == "offline":
                if reg in GPU_ONLY_IN_SINGLESTREAM:
                    reg_row = ""
                else:
                    reg_row = reg
                v = summary_value(text, "Samples per second")
                if v is None:
                    odd.append("%s: no 'Samples per second'" % p)
                    continue
                rows.append(pc.row(hardware=hw, registry_id=reg_row, runtime=runtime, precision=prec,
                                   model=bench, zoo_model=zoo, mapping=mapping, batch="",
                                   input_shape="", metric="throughput_fps", value=v,
                                   source=src + " 'Samples per second'"))
            else:
                v = summary_value(text, "90th percentile latency (ns)")
                if v is None:
                    odd.append("%s: no '90th percentile latency (ns)'" % p)
                    continue
                rows.append(pc.row(hardware=hw, registry_id=reg, runtime=runtime, precision=prec,
                                   model=bench, zoo_model=zoo, mapping=mapping, batch="1",
                                   input_shape=shape, metric="latency_ms", value=ns_to_ms(v),
                                   source=src + " '90th percentile latency (ns)' = %s ns" % v))
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s@%s (%d systems kept)" % (out, n, REPO, commit, len(kept)))
    print("note: %d summaries whose Scenario line differs from their folder were skipped:" % len(copies))
    for c in copies:
        print("  ", c)
    for o in odd:
        print("note:", o)


if __name__ == "__main__":
    main()

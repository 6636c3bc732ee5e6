#!/usr/bin/python3
"""Rebuild data/published/ncnn_benchmark.csv from a mirror of Tencent/ncnn.

Reads benchmark/README.md: one "### <board>" section per platform, each holding the
printed output of one or more `benchncnn LOOPS THREADS POWERSAVE GPU COOLDOWN` runs
(`<model> min = .. max = .. avg = ..`, milliseconds per inference, batch 1). Only the
sections of platforms the registry describes are taken (SECTIONS below); the others are
counted and named on stdout. Input sizes come from benchmark/benchncnn.cpp at the same commit.

    /usr/bin/python3 tools/published/ncnn_benchmark.py /work/.mirror/Tencent+ncnn/repo
"""
import re

import pubcommon as pc

REPO = "Tencent/ncnn"
PATH = "benchmark/README.md"
BENCH = "benchmark/benchncnn.cpp"

# Section title regex -> CPU registry id, its core count (runs on every core with powersave 0
# get the id, mode empty), precision of the fp32 models, and registry modes for runs on fewer
# threads (thread count -> mode; such a mode sets cpu_cores to that count in the registry).
# Precision: benchncnn enables fp16 storage and arithmetic (ncnn default since 2020-09,
# 6238bfd77), used on CPUs with the ARMv8.2 FP16 extension (Cortex-A76/A78AE, Apple M3);
# Cortex-A72 and x86 (AVX2) run fp32. Cortex-X4/A720 (ARMv9.2, Dimensity 9300) have FP16.
SECTIONS = [
    (r"^Raspberry Pi 4 Model B ", ("raspberry_pi_4", 4, "fp32", {})),
    (r"^Raspberry Pi 5 Broadcom BCM2712, Cortex-A76", ("raspberry_pi_5", 4, "fp16", {})),
    (r"^NVIDIA Jetson AGX Orin ", ("jetson_orin_agx_cpu", 12, "fp16", {})),
    (r"^NVIDIA Jetson Orin Nano$", ("jetson_orin_nano_cpu", 6, "fp16", {})),
    # the only CPU run of this section is single-threaded (benchncnn 10 1 0 -1 0)
    (r"^MacBook Air \(13-inch, M3, 2024\)$", ("apple_m3", 8, "fp16", {1: "1_thread"})),
    (r"^AMD Ryzen 9 5950X 16-Core of Desktop", ("amd_ryzen_9_5950x", 16, "fp32", {})),
    (r"^Intel® Core™ i7-13700K of Desktop", ("intel_core_i7_13700k", 16, "fp32", {})),
    (r"^MediaTek Dimensity 9300 \(MT6989\)", ("mediatek_dimensity_9300", 8, "fp16", {})),
]

# benchncnn model -> zoo model, mapping (checked against benchmark/models/*.param)
ZOO = {
    "squeezenet": ("squeezenet1_1", "same_arch"),        # v1.1 (3x3/64 stem), input 227
    "mobilenet": ("mobilenet_v1", "same_arch"),          # Caffe MobileNet v1 1.0
    "mobilenet_v2": ("mobilenet_v2", "same_arch"),       # Caffe MobileNet v2 1.0
    "mobilenet_v3": ("mobilenet_v3_large", "same_arch"),  # 16-ch stem, 1280-wide head
    "shufflenet_v2": ("shufflenet_v2_x1_0", "same_arch"),  # 24-ch stem, 58-ch branches
    "mnasnet": ("mnasnet1_0", "same_arch"),
    "efficientnet_b0": ("efficientnet_b0", "same_arch"),
    "regnety_400m": ("regnet_y_400mf", "same_arch"),
    "vgg16": ("vgg16", "same_arch"),
    "vision_transformer": ("vit_b_32", "same_arch"),     # 32x32 patches, 768 wide, input 384
    "googlenet": ("googlenet", "different"),             # BVLC GoogLeNet: LRN, no BN
    "resnet18": ("resnet18", "different"),               # Caffe: projection in res2a
    "resnet50": ("resnet50", "different"),               # Caffe ResNet-50 v1: stride in the 1x1
    "alexnet": ("alexnet", "different"),                 # BVLC AlexNet: 96 ch, groups, LRN
    "mobilenet_ssd": ("ssd_mobilenet_v1", "different"),  # Caffe MobileNet-SSD (VOC heads)
}

RESULT = re.compile(r"^\s*(\S+)\s+min =\s*([0-9.]+)\s+max =\s*([0-9.]+)\s+avg =\s*([0-9.]+)\s*$")
SETTING = re.compile(r"^(loop_count|num_threads|powersave|gpu_device|cooling_down) = (-?[0-9]+)\s*$")


def input_shapes(text):
    """benchmark("name", ncnn::Mat(W, H, C), ...) -> name: 1xCxHxW."""
    shapes = {}
    for m in re.finditer(r'benchmark\("([^"]+)",\s*ncnn::Mat\((\d+),\s*(\d+),\s*(\d+)\)', text):
        shapes[m.group(1)] = "1x%sx%sx%s" % (m.group(4), m.group(3), m.group(2))
    return shapes


def sections(text):
    title, body = None, []
    for line in text.splitlines():
        if line.startswith("### "):
            if title is not None:
                yield title, body
            title, body = line[4:].strip(), []
        elif title is not None:
            body.append(line)
    if title is not None:
        yield title, body


def runs(body):
    """Each run: the settings block it printed and its result lines."""
    cur, command, gpu_name = None, "", ""
    for line in body:
        s = SETTING.match(line.strip())
        if s:
            if s.group(1) == "loop_count":
                if cur and cur["results"]:
                    yield cur
                cur = {"command": command, "gpu_name": gpu_name, "results": []}
            if cur is not None:
                cur[s.group(1)] = int(s.group(2))
            continue
        r = RESULT.match(line)
        if r and cur is not None:
            cur["results"].append(r.groups())
            continue
        g = re.match(r"^\[0 ([^\]]+)\]\s+(.*)$", line.strip())
        if g:
            gpu_name = g.group(1)
            if cur is None or cur["results"]:
                pass
            continue
        if "benchncnn" in line:
            command = line.strip()
    if cur and cur["results"]:
        yield cur


def main():
    repo, commit, out = pc.main_args(pc.out_path("ncnn_benchmark.csv"))
    shapes = input_shapes(pc.show(repo, commit, BENCH))
    rows, skipped, notes = [], [], []
    for title, body in sections(pc.show(repo, commit, PATH)):
        spec = next((v for k, v in SECTIONS if re.search(k, title)), None)
        if spec is None:
            skipped.append(title)
            continue
        cpu_id, cores, cpu_prec, thread_modes = spec
        for n, run in enumerate(runs(body), 1):
            threads, ps, gpu = run.get("num_threads"), run.get("powersave"), run.get("gpu_device", -1)
            mode = ""
            if gpu >= 0:
                unit = "GPU (%s, Vulkan)" % (run["gpu_name"] or "device %d" % gpu)
                reg = ""  # the estimator has no rule set for ncnn's Vulkan backend (README)
                rt = "ncnn (vulkan)"
                prec = "fp16"  # every GPU taken reports fp16 storage and arithmetic
            else:
                unit = "CPU"
                mode = thread_modes.get(threads, "") if ps == 0 else ""
                reg = cpu_id if ps == 0 and (threads == cores or mode) else ""
                rt = "ncnn"
                prec = cpu_prec
            hw = "%s %s [%s threads, powersave %s]" % (title, unit, threads, ps)
            for name, vmin, vmax, avg in run["results"]:
                base = name[:-5] if name.endswith("_int8") else name
                zoo, mapping = ZOO.get(base, ("", ""))
                if name not in shapes:
                    notes.append("%s: %s not in %s at this commit, input shape left empty" % (title, name, BENCH))
                rows.append(pc.row(
                    hardware=hw, registry_id=reg, mode=mode, runtime=rt,
                    precision="int8" if name.endswith("_int8") else prec, model=name,
                    zoo_model=zoo, mapping=mapping, batch="1", input_shape=shapes.get(name, ""),
                    metric="latency_ms", value=avg,
                    source="%s %s@%s section '%s' run %d (%s; loop_count %s, min %s, max %s), column avg"
                           % (REPO, PATH, commit, title, n, run["command"] or "command not shown",
                              run.get("loop_count"), vmin, vmax)))
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s@%s" % (out, n, REPO, commit))
    print("note: %d sections not taken (no registry entry): %s" % (len(skipped), "; ".join(skipped)))
    for o in sorted(set(notes)):
        print("note:", o)


if __name__ == "__main__":
    main()

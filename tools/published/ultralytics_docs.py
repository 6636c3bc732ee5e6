#!/usr/bin/python3
"""Rebuild data/published/ultralytics_docs.csv from a git mirror that carries the
ultralytics/ultralytics documentation (docs/en/...).

The upstream repository is too large to mirror here; any clone or fork whose
history contains the upstream commits works. Each row's source names the
upstream commit that last changed the page.

    /usr/bin/python3 tools/published/ultralytics_docs.py /work/.mirror/rahat-ansari+ultralytics/repo

Pages read (benchmark tables only, "Inference time (ms/im)" per image, batch 1):
nvidia-jetson, deepstream-nvidia-jetson, raspberry-pi, coral-edge-tpu-on-raspberry-pi
(guides) and openvino, rockchip-rknn, sony-imx500 (integrations).
"""
import re

import pubcommon as pc

UPSTREAM = "ultralytics/ultralytics"

JETSON = {  # h4 heading -> (hardware, GPU registry id, CPU registry id)
    "NVIDIA Jetson AGX Orin Developer Kit (64GB)":
        ("NVIDIA Jetson AGX Orin 64GB", "jetson_orin_agx_gpu", "jetson_orin_agx_cpu"),
    "NVIDIA Jetson Orin Nano Super Developer Kit":
        ("NVIDIA Jetson Orin Nano Super Developer Kit", "jetson_orin_nano_gpu", "jetson_orin_nano_cpu"),
    "NVIDIA Jetson Orin NX 16GB":
        ("NVIDIA Jetson Orin NX 16GB (Seeed reComputer J4012)", "jetson_orin_nx_gpu", "jetson_orin_nx_cpu"),
}

# Ultralytics export format -> (runtime, precision, runs on the accelerator?)
# The Jetson page says only PyTorch, TorchScript and TensorRT use the GPU; ONNX is
# treated as GPU too (onnxruntime-gpu is installed by the same page and its times
# track TensorRT FP32), see README.
FORMATS = {
    "PyTorch": ("pytorch", "fp32", True),
    "TorchScript": ("torchscript", "fp32", True),
    "ONNX": ("onnxruntime", "fp32", True),
    "OpenVINO": ("openvino", "fp32", False),
    "TensorRT (FP32)": ("tensorrt", "fp32", True),
    "TensorRT (FP16)": ("tensorrt", "fp16", True),
    "TensorRT (INT8)": ("tensorrt", "int8", True),
    "TF SavedModel": ("tensorflow_savedmodel", "fp32", False),
    "TF GraphDef": ("tensorflow_graphdef", "fp32", False),
    "TF Lite": ("tflite", "fp32", False),
    "PaddlePaddle": ("paddle", "fp32", False),
    "MNN": ("mnn", "fp32", False),
    "NCNN": ("ncnn", "fp32", False),
    "rknn": ("rknn", "fp16", True),     # exporter builds with do_quantization=False
    "imx": ("imx500", "int8", True),    # IMX export quantizes (int8=True default)
}

OPENVINO_DEVICES = {  # h3 or tab -> (hardware for OpenVINO rows, hardware for the other rows)
    "Intel Flex GPU": ("Intel Data Center GPU Flex 170", "host CPU of the Flex 170 system (not named)"),
    "Intel Arc GPU": ("Intel Arc A770", "host CPU of the Arc A770 system (not named)"),
    "Intel Xeon CPU": ("4th Gen Intel Xeon Scalable CPU (SKU not named)",) * 2,
    "Intel Core CPU": ("Intel Core i7-13700H CPU",) * 2,
    "Integrated Intel\u00ae Arc\u2122 GPU": ("Intel Core Ultra 7 155H integrated Arc GPU", "Intel Core Ultra 7 155H CPU"),
    "Intel\u00ae Meteor Lake CPU": ("Intel Core Ultra 7 155H CPU",) * 2,
    "Integrated Intel\u00ae AI Boost NPU": ("Intel Core Ultra 7 155H AI Boost NPU", "Intel Core Ultra 7 155H CPU"),
}

# hardware string of OpenVINO-page rows -> registry id (SKU-less hosts stay unmapped)
REGISTRY = {
    "Intel Core i7-13700H CPU": "intel_core_i7_13700h",
    "Intel Core Ultra 7 155H CPU": "intel_core_ultra_7_155h",
    "Intel Core Ultra 7 155H integrated Arc GPU": "intel_core_ultra_7_155h_gpu",
    "Intel Core Ultra 7 155H AI Boost NPU": "intel_core_ultra_7_155h_npu",
}

PAGES = ["docs/en/guides/nvidia-jetson.md", "docs/en/guides/deepstream-nvidia-jetson.md",
         "docs/en/guides/raspberry-pi.md", "docs/en/guides/coral-edge-tpu-on-raspberry-pi.md",
         "docs/en/integrations/openvino.md", "docs/en/integrations/rockchip-rknn.md",
         "docs/en/integrations/sony-imx500.md"]


# model as the guides name it -> (zoo model, mapping): the same Ultralytics networks,
# written from the yaml layer tables in tools/zoo_models.py
ZOO = {"YOLOv8%s" % sc: ("yolov8%s" % sc, "same_arch") for sc in "nsmlx"}
ZOO.update({"YOLO11%s" % sc: ("yolo11%s" % sc, "same_arch") for sc in "nsmlx"})


def cells(line):
    return [c.strip().strip("`") for c in line.strip().strip("|").split("|")]


def md_tables(text):
    """Yield dicts with heads (level -> title), tab (last `=== "X"`), header, rows."""
    heads, tab, fence, cur = {}, "", False, None
    for ln in text.splitlines() + [""]:
        s = ln.strip()
        if fence:
            if re.fullmatch(r"```\s*", s):
                fence = False
            continue
        if s.startswith("```"):
            fence = True
            continue
        if s.startswith("|"):
            if cur is None:
                cur = dict(heads=dict(heads), tab=tab, header=cells(s), rows=[])
            elif not re.fullmatch(r"[\s|:\-]+", s):
                cur["rows"].append(cells(s))
            continue
        if cur is not None:
            yield cur
            cur = None
        m = re.match(r"^(#+)\s+(.*)", ln)
        if m:
            lv = len(m.group(1))
            heads = {k: v for k, v in heads.items() if k < lv}
            heads[lv] = m.group(2).strip()
            tab = ""
            continue
        m = re.match(r'^\s*===\s+"(.*)"', ln)
        if m:
            tab = m.group(1)


def col(header, pattern):
    for n, h in enumerate(header):
        if re.search(pattern, h, re.I):
            return n
    return None


def rows_of_page(text, page, src, odd):
    out = []

    def add(hw, reg, runtime, prec, model, value, where, shape="1x3x640x640"):
        if not pc.is_number(value):
            odd.append("%s %s: %r not a number, skipped" % (page, where, value))
            return
        zoo, mapping = ZOO.get(model, ("", ""))
        out.append(pc.row(hardware=hw, registry_id=reg, runtime=runtime, precision=prec,
                          model=model, zoo_model=zoo, mapping=mapping, batch="1",
                          input_shape=shape, metric="latency_ms",
                          value=value, source="%s %s" % (src, where)))

    for t in md_tables(text):
        h = t["header"]
        c_time = col(h, r"inference time")
        if c_time is None:
            continue
        c_fmt, c_model, c_prec, c_status = col(h, r"^format$"), col(h, r"^model$"), \
            col(h, r"^precision$"), col(h, r"^status$")
        heads = t["heads"]
        path = " > ".join(heads[k] for k in sorted(heads))
        for r in t["rows"]:
            if c_status is not None and "\u2705" not in r[c_status]:
                odd.append("%s '%s' %s: status %r, skipped" % (page, path, r, r[c_status]))
                continue
            fmt = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", r[c_fmt]) if c_fmt is not None else ""
            model = r[c_model] if c_model is not None else t["tab"]
            value = r[c_time]
            where = "table '%s'%s row %s %s, column '%s'" % (
                path.split(" > ")[-1], (" tab '%s'" % t["tab"]) if t["tab"] else "",
                model, fmt, h[c_time])
            if fmt and fmt not in FORMATS:
                odd.append("%s: unknown format %r" % (page, fmt))
                continue
            runtime, prec, on_accel = FORMATS.get(fmt, ("", "", True))
            if c_prec is not None:
                prec = r[c_prec].lower()
            if page.endswith("nvidia-jetson.md") and not page.endswith("deepstream-nvidia-jetson.md"):
                dev = heads.get(4, "")
                if dev not in JETSON or "Detailed Comparison" not in path:
                    continue
                hw, gpu, cpu = JETSON[dev]
                add(hw + (" GPU" if on_accel else " CPU"), gpu if on_accel else cpu,
                    runtime, prec, model, value, where)
            elif page.endswith("deepstream-nvidia-jetson.md"):
                add("NVIDIA Jetson Orin NX 16GB GPU", "jetson_orin_nx_gpu", "tensorrt (deepstream)",
                    prec, model, value, where)
            elif page.endswith("raspberry-pi.md") and "coral" not in page:
                add("Raspberry Pi 5 (Broadcom BCM2712, 4x Cortex-A76) CPU", "raspberry_pi_5",
                    runtime, prec, model, value, where)
            elif page.endswith("openvino.md"):
                key = t["tab"] or heads.get(3, "")
                if key not in OPENVINO_DEVICES:
                    odd.append("%s: no device for '%s'" % (page, key))
                    continue
                accel_hw, host_hw = OPENVINO_DEVICES[key]
                hw = accel_hw if runtime == "openvino" else host_hw
                add(hw, REGISTRY.get(hw, ""), runtime, prec, model,
                    value, where)
            elif page.endswith("rockchip-rknn.md"):
                add("Rockchip RK3588 NPU (Radxa Rock 5B)", "rockchip_rk3588_npu", runtime, prec,
                    model, value, where)
            elif page.endswith("sony-imx500.md"):
                add("Sony IMX500 (Raspberry Pi AI Camera, host Raspberry Pi 5)", "", runtime,
                    prec, model, value, where)
        if page.endswith("coral-edge-tpu-on-raspberry-pi.md"):
            c_size, c_std, c_max = col(h, r"image size"), col(h, r"^standard"), col(h, r"^high frequency")
            if c_size is None or c_model is None:
                continue
            for r in t["rows"]:
                side = r[c_size]
                for c, lib in ((c_std, "libedgetpu1-std"), (c_max, "libedgetpu1-max")):
                    if c is None:
                        continue
                    # most of the timed step runs on the Raspberry Pi host, not the chip (the
                    # same model and runtime is 1.3-1.5x slower on the Pi 4 than on the Pi 5,
                    # while the TPU's 2x clock, max against std, saves only 15-25%): a
                    # placement partly elsewhere, which fits leave out (docs/published.md)
                    add("Google Coral USB Edge TPU (host %s)" % t["tab"], "google_coral_edge_tpu",
                        "tflite_edgetpu (%s)" % lib, "int8", r[c_model], r[c],
                        "table tab '%s' row %s %s, column '%s'; placement partly on the host"
                        % (t["tab"], side, r[c_model], h[c]),
                        shape="1x3x%sx%s" % (side, side))
    return out


def main():
    repo, commit, out = pc.main_args(pc.out_path("ultralytics_docs.csv"))
    rows, odd = [], []
    for page in PAGES:
        last = pc.git(repo, "log", "-1", "--format=%H", commit, "--", page).strip()
        text = pc.show(repo, commit, page)
        src = "%s %s@%s" % (UPSTREAM, page, last)
        got = rows_of_page(text, page, src, odd)
        print("%-55s %4d rows (page last changed in %s)" % (page, len(got), last))
        rows += got
    n = pc.write_csv(rows, out)
    print("%s: %d rows from mirror at %s" % (out, n, commit))
    for o in odd:
        print("note:", o)


if __name__ == "__main__":
    main()

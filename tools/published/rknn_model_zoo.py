#!/usr/bin/python3
"""Rebuild data/published/rknn_model_zoo.csv from a mirror of airockchip/rknn_model_zoo.

Reads the "Model performance benchmark(FPS)" markdown table of README.md: one
FPS figure per (model, platform), batch 1, NPU inference only.

    /usr/bin/python3 tools/published/rknn_model_zoo.py /work/.mirror/airockchip+rknn_model_zoo/repo
"""
import re

import pubcommon as pc

REPO = "airockchip/rknn_model_zoo"
PATH = "README.md"

# Column header (with <br /> turned into a space) -> (hardware name, registry id)
PLATFORMS = {
    "RK3566 RK3568": ("Rockchip RK3566/RK3568 NPU", "rockchip_rk3568_npu"),
    "RK3562": ("Rockchip RK3562 NPU", "rockchip_rk3562_npu"),
    "RK3588 @single_core": ("Rockchip RK3588 NPU @single_core", "rockchip_rk3588_npu"),
    "RK3576 @single_core": ("Rockchip RK3576 NPU @single_core", "rockchip_rk3576_npu"),
    "RV1109": ("Rockchip RV1109 NPU", "rockchip_rv1109_npu"),
    "RV1126": ("Rockchip RV1126 NPU", "rockchip_rv1126_npu"),
    "RK1808": ("Rockchip RK1808 NPU", "rockchip_rk1808_npu"),
}
# RKNPU1 parts use the older rknn-toolkit / rknpu driver, the rest RKNN-Toolkit2.
RKNPU1 = ("RV1109", "RV1126", "RK1808")

ZOO = {
    "mobilenetv2-12": ("mobilenet_v2", "same_arch"),   # ONNX model zoo MobileNetV2 1.0
    "resnet50-v2-7": ("resnet50", "different"),        # pre-activation ResNet-50 v2
    "yolov5s": ("yolov5s", "same_arch"),               # decode/NMS left to the CPU
    "yolov5s_relu": ("yolov5s", "different"),          # SiLU replaced by ReLU
    "clip_images": ("vit_b_32", "different"),          # CLIP ViT-B/32 image tower
    # Ultralytics detectors; RKNN's export leaves DFL decode and NMS to the CPU
    "yolov8n": ("yolov8n", "same_arch"), "yolov8s": ("yolov8s", "same_arch"),
    "yolov8m": ("yolov8m", "same_arch"),
    "yolo11n": ("yolo11n", "same_arch"), "yolo11s": ("yolo11s", "same_arch"),
    "yolo11m": ("yolo11m", "same_arch"),
}


def cells(line):
    parts = line.strip().strip("|").split("|")
    return [re.sub(r"<br\s*/?>", " ", p).replace("&nbsp;", " ").strip() for p in parts]


def shape(text):
    m = re.fullmatch(r"\[([0-9,\s]+)\]", text.strip())
    if m:
        return "x".join(x.strip() for x in m.group(1).split(","))
    return " ".join(text.split())


def main():
    repo, commit, out = pc.main_args(pc.out_path("rknn_model_zoo.csv"))
    text = pc.show(repo, commit, PATH)
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r"^#+ Model performance benchmark", l))
    table = []
    for l in lines[start + 1:]:
        if l.startswith("|"):
            table.append(cells(l))
        elif table:
            break
    header = [" ".join(h.split()) for h in table[0]]
    col = {h: n for n, h in enumerate(header)}
    rows, odd = [], []
    demo = ""
    unsupported = 0
    for r in table[2:]:
        demo = r[col["demo"]] or demo
        model = r[col["model_name"]]
        dtype = r[col["dtype"]].lower()
        shp = shape(r[col["inputs_shape"]])
        zoo, mapping = ZOO.get(model, ("", ""))
        for key, (hw, reg) in PLATFORMS.items():
            raw = r[col[key]]
            m = re.fullmatch(r"([0-9.]+)\s*(?:\((INT8|FP16)\))?", raw)
            if raw == "/":  # the README's mark for "not supported"
                unsupported += 1
                continue
            if not m:
                odd.append("%s %s on %s: %r is not an FPS figure, skipped"
                           % (demo, model, key, " ".join(raw.split())))
                continue
            prec = (m.group(2) or dtype).lower()
            rt = "rknn (rknpu1)" if key in RKNPU1 else "rknn"
            rows.append(pc.row(
                hardware=hw, registry_id=reg, runtime=rt, precision=prec, model=model,
                zoo_model=zoo, mapping=mapping, batch="1", input_shape=shp,
                metric="throughput_fps", value=m.group(1),
                source="%s %s@%s table 'Model performance benchmark(FPS)' column '%s'"
                       % (REPO, PATH, commit, key)))
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s@%s" % (out, n, REPO, commit))
    print("note: %d cells marked '/' (not supported) skipped" % unsupported)
    for o in odd:
        print("note:", o)


if __name__ == "__main__":
    main()

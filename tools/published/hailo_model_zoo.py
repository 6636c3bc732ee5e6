#!/usr/bin/python3
"""Rebuild data/published/hailo_model_zoo.csv from a mirror of hailo-ai/hailo_model_zoo.

Reads docs/public_models/<CHIP>/<CHIP>_{classification,object_detection,
semantic_segmentation}.rst (RST list-tables) and keeps, per network, the two
published FPS columns (batch 1 and batch 8).

    /usr/bin/python3 tools/published/hailo_model_zoo.py /work/.mirror/hailo-ai+hailo_model_zoo/repo
"""
import re

import pubcommon as pc

REPO = "hailo-ai/hailo_model_zoo"
CHIPS = {  # directory -> (name as Hailo writes it, registry id or "")
    "HAILO8": ("Hailo-8", "hailo8"),
    "HAILO8L": ("Hailo-8L", "hailo8l"),
    "HAILO10H": ("Hailo-10H", "hailo10h"),
    "HAILO15H": ("Hailo-15H", "hailo15h"),
    "HAILO15L": ("Hailo-15L", "hailo15l"),
}
TASKS = ("classification", "object_detection", "semantic_segmentation")

# Hailo network name -> (zoo model, mapping). Judged from the S(ource) link of each
# row: same_arch = same layer graph as the torchvision network, other weights or
# framework; different = nearest zoo relative with a changed graph (variant,
# activation, width or stride placement), useful only as a loose comparison.
ZOO = {
    "resnet_v1_18": ("resnet18", "same_arch"),
    "resnet_v1_34": ("resnet34", "same_arch"),
    "resnet_v1_50": ("resnet50", "different"),       # TF-slim v1: stride in the 1x1 conv
    "resnext50_32x4d": ("resnext50_32x4d", "same_arch"),
    "mobilenet_v2_1.0": ("mobilenet_v2", "same_arch"),
    "mobilenet_v2_1.4": ("mobilenet_v2", "different"),  # width 1.4
    "mobilenet_v3": ("mobilenet_v3_large", "different"),  # TF-slim variant
    "regnetx_1.6gf": ("regnet_x_1_6gf", "same_arch"),
    "squeezenet_v1.1": ("squeezenet1_1", "same_arch"),
    "inception_v1": ("googlenet", "different"),      # TF-slim GoogLeNet, 5x5 branch kept
    "mobilenet_v1": ("mobilenet_v1", "same_arch"),
    "regnetx_800mf": ("regnet_x_800mf", "same_arch"),
    "efficientnet_lite0": ("efficientnet_lite0", "same_arch"),
    "efficientnet_lite1": ("efficientnet_lite1", "same_arch"),
    "efficientnet_lite2": ("efficientnet_lite2", "same_arch"),
    "efficientnet_lite3": ("efficientnet_lite3", "same_arch"),
    "efficientnet_lite4": ("efficientnet_lite4", "same_arch"),
    "ssd_mobilenet_v1": ("ssd_mobilenet_v1", "same_arch"),   # TF OD API, 300x300
    "swin_tiny": ("swin_t", "same_arch"),
    "swin_small": ("swin_s", "same_arch"),
    "vit_base": ("vit_b_16", "same_arch"),
    "vit_base_bn": ("vit_b_16", "different"),        # LayerNorm replaced by BatchNorm
    "deit_base": ("vit_b_16", "same_arch"),
    "yolov5s": ("yolov5s", "same_arch"),
    "yolov5s_wo_spp": ("yolov5s", "different"),
    # Ultralytics detectors at 640x640 (Hailo ends the graph before decode/NMS)
    **{"yolov8%s" % sc: ("yolov8%s" % sc, "same_arch") for sc in "nsmlx"},
    **{"yolov11%s" % sc: ("yolo11%s" % sc, "same_arch") for sc in "nsmlx"},
}

MARKERS = re.compile(r"\|rocket\||\|star\||\u2b50")
TITLE_UNDERLINE = re.compile(r"^([=\-^~\"'`#*+])\1{2,}\s*$")


def clean(cell):
    return " ".join(MARKERS.sub(" ", cell).split())


def list_tables(text):
    """Yield (section title, rows) for every `.. list-table::` in an RST file.

    A row starts with `* - first cell`; a further cell with `- cell` two columns
    to the right of the `*`; deeper-indented lines continue the current cell.
    """
    lines = text.splitlines()
    section = ""
    i = 0
    while i < len(lines):
        ln = lines[i]
        if i + 1 < len(lines) and ln.strip() and TITLE_UNDERLINE.match(lines[i + 1]) \
                and not TITLE_UNDERLINE.match(ln):
            section = ln.strip()
        if ln.strip().startswith(".. list-table::"):
            rows, i = read_table(lines, i + 1)
            yield section, rows
            continue
        i += 1


def read_table(lines, i):
    rows = []
    star_col = None
    while i < len(lines):
        ln = lines[i]
        if not ln.strip() or ln.strip().startswith(":"):
            i += 1
            continue
        m = re.match(r"^(\s*)\* - ?(.*)$", ln)
        if m and (star_col is None or len(m.group(1)) == star_col):
            star_col = len(m.group(1))
            rows.append([m.group(2)])
            i += 1
            continue
        indent = len(ln) - len(ln.lstrip())
        if star_col is None or indent <= star_col:
            break
        m = re.match(r"^(\s*)- ?(.*)$", ln)
        if m and len(m.group(1)) == star_col + 2:
            rows[-1].append(m.group(2))
        else:
            rows[-1][-1] += " " + ln.strip()
        i += 1
    return [[clean(c) for c in r] for r in rows], i


def column(header, *patterns):
    for n, h in enumerate(header):
        if all(re.search(p, h, re.I) for p in patterns):
            return n
    return None


def nchw(batch, hwc):
    m = re.fullmatch(r"(\d+)x(\d+)x(\d+)", hwc)
    if not m:
        return ""
    h, w, c = m.groups()
    return "%sx%sx%sx%s" % (batch, c, h, w)


def rows_for(repo, commit, chip, task, odd):
    path = "docs/public_models/%s/%s_%s.rst" % (chip, chip, task)
    try:
        text = pc.show(repo, commit, path)
    except Exception:
        odd.append("%s missing" % path)
        return []
    dfc = re.search(r"Dataflow Compiler v([0-9.]+[0-9])", text)
    dfc = dfc.group(1) if dfc else "?"
    name, reg = CHIPS[chip]
    out = []
    for section, table in list_tables(text):
        if not table:
            continue
        header = table[0]
        c_name = column(header, r"network name")
        c_b1 = column(header, r"fps", r"batch size\s*=\s*1\b")
        c_b8 = column(header, r"fps", r"batch size\s*=\s*8\b")
        c_res = column(header, r"input resolution")
        if c_name is None or (c_b1 is None and c_b8 is None):
            continue
        for r in table[1:]:
            net = r[c_name]
            res = r[c_res] if c_res is not None and c_res < len(r) else ""
            zoo, mapping = ZOO.get(net, ("", ""))
            for batch, col in (("1", c_b1), ("8", c_b8)):
                if col is None or col >= len(r):
                    continue
                val = r[col]
                if not pc.is_number(val):
                    odd.append("%s %s %s batch %s: FPS cell %r not a number, skipped"
                               % (chip, section, net, batch, val))
                    continue
                out.append(pc.row(
                    hardware=name, registry_id=reg, runtime="hailo_dfc", precision="int8",
                    model=net, zoo_model=zoo, mapping=mapping, batch=batch,
                    input_shape=nchw(batch, res), metric="throughput_fps", value=val,
                    source="%s %s@%s table '%s' FPS (Batch Size=%s), DFC v%s"
                           % (REPO, path, commit, section, batch, dfc)))
    return out


def main():
    repo, commit, out = pc.main_args(pc.out_path("hailo_model_zoo.csv"))
    rows, odd = [], []
    for chip in CHIPS:
        for task in TASKS:
            rows += rows_for(repo, commit, chip, task, odd)
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s@%s" % (out, n, REPO, commit))
    for o in odd:
        print("note:", o)


if __name__ == "__main__":
    main()

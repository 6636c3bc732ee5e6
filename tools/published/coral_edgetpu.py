#!/usr/bin/python3
"""Rebuild data/published/coral_edgetpu.csv from coral.ai's "Edge TPU performance benchmarks".

The source is a web page, not a repository, so its Table 1 ("Time per inference, in
milliseconds") is transcribed below, figure for figure, and this script only turns it into
rows. Re-check the page and edit TABLE when it changes.

    /usr/bin/python3 tools/published/coral_edgetpu.py [--out CSV]
"""
import sys

import pubcommon as pc

URL = "https://coral.ai/docs/edgetpu/benchmarks/"
WHERE = "%s Table 1 (Time per inference, in milliseconds)" % URL

# column -> hardware, registry id, runtime; the page's footnotes name the machines
COLUMNS = [
    ("Desktop CPU 1", "Desktop CPU (page footnote 1)", "", "tflite"),
    ("Desktop CPU 1 + USB Accelerator (USB 3.0) with Edge TPU",
     "Coral USB Accelerator (USB 3.0) on the desktop CPU of footnote 1", "google_coral_edge_tpu",
     "tflite_edgetpu (libedgetpu1-std)"),
    ("Embedded CPU 2", "Embedded CPU (page footnote 2)", "", "tflite"),
    ("Dev Board 3 with Edge TPU", "Coral Dev Board (page footnote 3)", "google_coral_edge_tpu",
     "tflite_edgetpu (libedgetpu1-std)"),
]

# model as printed (input as printed) -> zoo model, mapping; figures in COLUMNS order
TABLE = [
    ("Unet Mv2", "128x128", "", "", ("27.7", "3.3", "190.7", "5.7")),
    ("DeepLab V3", "513x513", "", "", ("394", "52", "1139", "241")),
    ("DenseNet", "224x224", "", "", ("380", "20", "1032", "25")),          # depth not stated
    ("Inception v1", "224x224", "googlenet", "different", ("90", "3.4", "392", "4.1")),  # TF-slim
    ("Inception v4", "299x299", "", "", ("700", "85", "3157", "102")),
    ("Inception-ResNet V2", "299x299", "", "", ("753", "57", "2852", "69")),
    ("MobileNet v1", "224x224", "mobilenet_v1", "same_arch", ("53", "2.4", "164", "2.4")),
    ("MobileNet v2", "224x224", "mobilenet_v2", "same_arch", ("51", "2.6", "122", "2.6")),
    ("MobileNet v1 SSD", "224x224", "ssd_mobilenet_v1", "same_arch", ("109", "6.5", "353", "11")),
    ("MobileNet v2 SSD", "224x224", "", "", ("106", "7.2", "282", "14")),
    ("ResNet-50 V1", "299x299", "resnet50", "different", ("484", "49", "1763", "56")),  # TF-slim v1
    ("ResNet-50 V2", "299x299", "resnet50", "different", ("557", "50", "1875", "59")),  # pre-activation
    ("ResNet-152 V2", "299x299", "resnet152", "different", ("1823", "128", "5499", "151")),
    ("SqueezeNet", "224x224", "", "", ("55", "2.1", "232", "2")),         # version not stated
    ("VGG16", "224x224", "vgg16", "same_arch", ("867", "296", "4595", "343")),
    ("VGG19", "224x224", "vgg19", "same_arch", ("1060", "308", "5538", "357")),
    ("EfficientNet-EdgeTpu-S", "", "", "", ("5431", "5.1", "705", "5.5")),
    ("EfficientNet-EdgeTpu-M", "", "", "", ("8469", "8.7", "1081", "10.6")),
]


def main():
    out = pc.out_path("coral_edgetpu.csv")
    args = sys.argv[1:]
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return
    if len(args) == 2 and args[0] == "--out":
        out = args[1]
    elif args:
        raise SystemExit("usage: coral_edgetpu.py [--out CSV]")
    rows = []
    for model, res, zoo, mapping, figures in TABLE:
        # the same chip behind two hosts: a network whose step is over 1.5x longer behind one
        # host than the other spends that time on the host (detection post-processing, ops the
        # compiler leaves to the CPU), not on the chip; classifiers differ by 0-20% (the link)
        tpu = [float(v) for (c, hw, reg, rt), v in zip(COLUMNS, figures) if reg]
        on_host = max(tpu) > 1.5 * min(tpu)
        shape = ""
        if res:
            h, w = res.split("x")
            shape = "1x3x%sx%s" % (h, w)
        for (col, hw, reg, rt), value in zip(COLUMNS, figures):
            rows.append(pc.row(
                hardware=hw, registry_id=reg, runtime=rt, precision="int8", model=model,
                zoo_model=zoo, mapping=mapping, batch="1", input_shape=shape,
                metric="latency_ms", value=value,
                source="%s row '%s%s' column '%s'%s" % (WHERE, model, " (%s)" % res if res else "", col,
                                                        "; placement partly on the host" if on_host and reg else "")))
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s" % (out, n, URL))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Rebuild data/published/qai_hub_models.csv from a mirror of quic/ai-hub-models.

Reads qai_hub_models/models/*/perf.yaml (one profile-job result per model
component x precision x device x runtime path) and
qai_hub_models/devices_and_chipsets.yaml (device -> chipset). Keeps every
result that carries inference_time_milliseconds (the LLM `genie` entries only
carry tokens/s and are left out).

    /usr/bin/python3 tools/published/qai_hub_models.py /work/.mirror/quic+ai-hub-models/repo
"""
import re

import miniyaml
import pubcommon as pc

REPO = "quic/ai-hub-models"

# perf.yaml runtime path -> runtime column
RUNTIMES = {
    "tflite": "tflite",
    "qnn_dlc": "qnn_dlc",
    "qnn_context_binary": "qnn_context_binary",
    "onnx": "onnxruntime",
    "precompiled_qnn_onnx": "onnxruntime_qnn_precompiled",
}

# perf.yaml precision -> precision column ("float" depends on the unit, below)
PRECISIONS = {"w8a8": "int8", "w8a16": "w8a16", "w4a16": "w4a16", "w4": "w4",
              "w16a16": "w16a16", "w8a16_mixed_fp16": "w8a16_mixed_fp16",
              "w8a16_mixed_int16": "w8a16_mixed_int16",
              "w8a8_mixed_int16": "w8a8_mixed_int16"}

# (chipset, compute unit) -> registry id. qualcomm_qcs6490 is the Kryo CPU and
# qualcomm_qcs6490_npu the Hexagon NPU, so each result maps to the unit that ran it.
REGISTRY = {("qualcomm-qcs6490", "CPU"): "qualcomm_qcs6490",
            ("qualcomm-qcs6490", "NPU"): "qualcomm_qcs6490_npu",
            ("qualcomm-snapdragon-x-elite", "NPU"): "qualcomm_snapdragon_x_elite_npu",
            ("qualcomm-snapdragon-8gen3", "NPU"): "qualcomm_snapdragon_8_gen_3_npu",
            ("qualcomm-snapdragon-8-elite-for-galaxy", "NPU"): "qualcomm_snapdragon_8_elite_npu",
            ("qualcomm-snapdragon-8-elite-gen5", "NPU"): "qualcomm_snapdragon_8_elite_gen5_npu",
            # AI Hub measures the QCS8550 on a "QCS8550 (Proxy)" device
            ("qualcomm-qcs8550-proxy", "NPU"): "qualcomm_qcs8550_npu",
            ("qualcomm-qcs9075", "NPU"): "qualcomm_qcs9075_npu",
            ("qualcomm-sa8775p", "NPU"): "qualcomm_sa8775p_npu",
            ("qualcomm-sa8295p", "NPU"): "qualcomm_sa8295p_npu",
            # AI Hub's "QCS8275 (Proxy)" runs no jobs: scorecard/device.py makes it a mirror of
            # the SA7255P ADP (same jobs), so those rows are mapped once, here, and the
            # SA7255P ADP's own rows stay unmapped (fitting both would count each job twice)
            ("qualcomm-qcs8275-proxy", "NPU"): "qualcomm_qcs8275_npu",
            ("qualcomm-snapdragon-7gen4", "CPU"): "qualcomm_snapdragon_7_gen_4"}

# model directory -> (zoo model, mapping, input shape at batch 1). Every one was
# checked in the model's model.py: ImagenetClassifier uses 1x3x224x224 (even where
# info.yaml states another resolution) and wraps the torchvision network with an
# input normalisation; FCN uses 1x3x520x520; BERT uses 1x384 tokens.
ZOO = {
    "convnext_tiny": ("convnext_tiny", "torchvision_exact", "1x3x224x224"),
    "densenet121": ("densenet121", "torchvision_exact", "1x3x224x224"),
    "efficientnet_b0": ("efficientnet_b0", "torchvision_exact", "1x3x224x224"),
    "efficientnet_b4": ("efficientnet_b4", "torchvision_exact", "1x3x224x224"),
    "efficientnet_v2_s": ("efficientnet_v2_s", "torchvision_exact", "1x3x224x224"),
    "fcn_resnet50": ("fcn_resnet50", "same_arch", "1x3x520x520"),
    "googlenet": ("googlenet", "torchvision_exact", "1x3x224x224"),
    "inception_v3": ("inception_v3", "same_arch", "1x3x224x224"),
    "mnasnet05": ("mnasnet0_5", "torchvision_exact", "1x3x224x224"),
    "mobilenet_v2": ("mobilenet_v2", "same_arch", "1x3x224x224"),
    "mobilenet_v3_large": ("mobilenet_v3_large", "torchvision_exact", "1x3x224x224"),
    "mobilenet_v3_small": ("mobilenet_v3_small", "torchvision_exact", "1x3x224x224"),
    "resnet101": ("resnet101", "torchvision_exact", "1x3x224x224"),
    "resnet18": ("resnet18", "torchvision_exact", "1x3x224x224"),
    "resnet50": ("resnet50", "torchvision_exact", "1x3x224x224"),
    "resnext101": ("resnext101_32x8d", "torchvision_exact", "1x3x224x224"),
    "resnext50": ("resnext50_32x4d", "torchvision_exact", "1x3x224x224"),
    "shufflenet_v2": ("shufflenet_v2_x0_5", "torchvision_exact", "1x3x224x224"),
    "squeezenet1_1": ("squeezenet1_1", "torchvision_exact", "1x3x224x224"),
    "vit": ("vit_b_16", "torchvision_exact", "1x3x224x224"),
    "wideresnet50": ("wide_resnet50_2", "torchvision_exact", "1x3x224x224"),
    "bert_base_uncased_hf": ("bert_base_uncased", "same_arch", "1x384"),
    "regnet": ("regnet_x_3_2gf", "torchvision_exact", "1x3x224x224"),
    "regnet_y_800mf": ("regnet_y_800mf", "torchvision_exact", "1x3x224x224"),
    "convnext_base": ("convnext_base", "torchvision_exact", "1x3x224x224"),
    # default checkpoints yolov8n.pt / yolo11n.pt at 640x640; qai's wrapper splits the
    # decoded output into boxes, scores and classes
    "yolov8_det": ("yolov8n", "same_arch", "1x3x640x640"),
    "yolov11_det": ("yolo11n", "same_arch", "1x3x640x640"),
    "yolov5": ("yolov5s", "different", "1x3x640x640"),  # YOLOv5m (yolov5mu weights)
}


def precision_for(prec, unit):
    if prec == "float":
        # Qualcomm runs float models in FP16 on the HTP (NPU) and GPU, FP32 on the CPU
        return "fp32" if unit == "CPU" else "fp16"
    return PRECISIONS.get(prec, prec)


def placement(lc):
    """perf.yaml's layer_counts as published ("layer_counts total 1302, npu 1230, cpu 72; "):
    where the compiled layers ran. A row whose layers are partly on another unit than its
    primary_compute_unit (CPU fallback) is not that unit's speed; the fit leaves it out."""
    if not isinstance(lc, dict) or not lc:
        return ""
    keys = ["total"] + sorted(k for k in lc if k != "total")
    return "layer_counts %s; " % ", ".join("%s %s" % (k, lc[k]) for k in keys if k in lc)


def versions(tv):
    if not isinstance(tv, dict):
        return ""
    return ", ".join("%s %s" % (k, tv[k]) for k in sorted(tv))


def main():
    repo, commit, out = pc.main_args(pc.out_path("qai_hub_models.csv"))
    dc = miniyaml.parse(pc.show(repo, commit, "qai_hub_models/devices_and_chipsets.yaml"))
    chipset = {d: (v or {}).get("chipset", "") for d, v in dc["devices"].items()}
    paths = [p for p in pc.ls_tree(repo, commit, "qai_hub_models/models")
             if re.fullmatch(r"qai_hub_models/models/[^/]+/perf\.yaml", p)]
    rows, odd, skipped = [], [], 0
    for path in paths:
        model_dir = path.split("/")[2]
        perf = miniyaml.parse(pc.show(repo, commit, path), path)
        zoo, mapping, shape = ZOO.get(model_dir, ("", "", ""))
        for prec, pblock in sorted((perf.get("precisions") or {}).items()):
            for comp, cblock in sorted(((pblock or {}).get("components") or {}).items()):
                metrics = (cblock or {}).get("performance_metrics") or {}
                for device, dblock in sorted(metrics.items()):
                    for rpath, res in sorted((dblock or {}).items()):
                        if not isinstance(res, dict) or res.get("inference_time_milliseconds") is None:
                            skipped += 1
                            continue
                        if res.get("job_status") != "Passed":
                            odd.append("%s %s %s %s: job_status %s" % (path, comp, device, rpath, res.get("job_status")))
                            continue
                        unit = res.get("primary_compute_unit") or ""
                        chip = chipset.get(device, "")
                        if not chip:
                            odd.append("device %r has no chipset in devices_and_chipsets.yaml" % device)
                        runtime = RUNTIMES.get(rpath)
                        # ONNX Runtime reaches the Hexagon NPU only through its QNN execution
                        # provider (these jobs list a qairt version beside onnx_runtime): the
                        # graph the NPU runs is QNN's, not ONNX Runtime's own fusion
                        if runtime == "onnxruntime" and unit == "NPU":
                            runtime = "onnxruntime_qnn"
                        if runtime is None:
                            odd.append("%s: unknown runtime path %r" % (path, rpath))
                            continue
                        rows.append(pc.row(
                            hardware="%s (%s) %s" % (device, chip, unit),
                            registry_id=REGISTRY.get((chip, unit), ""),
                            runtime=runtime, precision=precision_for(prec, unit),
                            model=comp, zoo_model=zoo, mapping=mapping, batch="1",
                            input_shape=shape, metric="latency_ms",
                            value=res["inference_time_milliseconds"],
                            source="%s %s@%s precisions.%s.%s.performance_metrics['%s'].%s "
                                   "inference_time_milliseconds (job %s; %s%s)"
                                   % (REPO, path, commit, prec, comp, device, rpath,
                                      res.get("job_id", "?"), placement(res.get("layer_counts")),
                                      versions(res.get("tool_versions")))))
    n = pc.write_csv(rows, out)
    print("%s: %d rows from %s@%s (%d perf.yaml files, %d entries without a time)"
          % (out, n, REPO, commit, len(paths), skipped))
    for o in sorted(set(odd)):
        print("note:", o)


if __name__ == "__main__":
    main()

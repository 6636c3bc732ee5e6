#!/usr/bin/env bash
# graphs profile vs Python's onnx.load + onnx.shape_inference.infer_shapes on the same
# ResNet-50 ONNX file WITH its weights (~100 MB, exported here with Debian's torch and
# random weights; nothing is downloaded). Reports the speed ratio; the issue asks >= 20x.
# Usage: bench/profile_vs_onnx.sh [build/graphs]
set -euo pipefail
cli=${1:-build/graphs}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/resnet50_full.onnx" <<'PY'
import sys, torch, torchvision
m = torchvision.models.resnet50(weights=None).eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=17)
PY
ls -l "$tmp/resnet50_full.onnx" | awk '{printf "file: %.1f MB\n", $5/1e6}'
"$cli" profile "$tmp/resnet50_full.onnx" --format json > /dev/null  # warm the page cache
/usr/bin/python3 - "$cli" "$tmp/resnet50_full.onnx" <<'PY'
import subprocess, sys, time, onnx, onnx.shape_inference
cli, path = sys.argv[1], sys.argv[2]
def best(f, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)
py = best(lambda: onnx.shape_inference.infer_shapes(onnx.load(path)), 5)
# includes process start-up, which Python's figure does not: a conservative ratio
gr = best(lambda: subprocess.run([cli, "profile", path, "--format", "json"], check=True,
                                 stdout=subprocess.DEVNULL), 10)
print(f"python onnx.load+infer_shapes: {py*1e3:.1f} ms")
print(f"graphs profile (whole process): {gr*1e3:.1f} ms")
print(f"speed-up: {py/gr:.1f}x (target >= 20x)")
sys.exit(0 if py / gr >= 20 else 1)
PY

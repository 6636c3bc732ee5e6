#!/usr/bin/env bash
# Swin on a dataflow chip (Hailo-8): its shifted-window attention masks are built from shapes
# and constants only (ConstantOfShape, nine ScatterNDs, Reshape, Transpose, Sub, Equal, Where),
# so constant folding leaves none of them to run, on the host or anywhere; and a profile's
# matrix_s (per matrix of a product of two activations) lengthens Swin's period by its matrix
# products (windows x heads x frames) while a CNN without such products is unchanged.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate
fail=0

python3 - "$root/calibration/hailo8/default/hailo_dfc.json" "$tmp" <<'EOF' || exit 1
import json, sys
p = json.load(open(sys.argv[1]))
for name, ms in (("m0", 0), ("m1", 5e-6)):
    q = json.loads(json.dumps(p))
    pl = q["precisions"]["int8"]["platform"]
    pl.update(frame_s=3e-4, context_bytes=0, context_layers=0, matrix_s=ms)
    json.dump(q, open(f"{sys.argv[2]}/{name}.json", "w"))
EOF
for m in swin_t resnet18; do
	for p in m0 m1; do
		"$cli" estimate "$m" --hw hailo8 --runtime hailo_dfc --precision int8 --profile "$tmp/$p.json" \
			--format json >"$tmp/${m}_$p.json" 2>"$tmp/err" || { echo "FAIL estimate $m $p: $(cat "$tmp/err")"; fail=$((fail + 1)); }
	done
done
[ "$fail" = 0 ] || exit 1

python3 - "$tmp" <<'EOF' || fail=$((fail + 1))
import json, sys
d = lambda n: json.load(open(f"{sys.argv[1]}/{n}.json"))
s0, s1, r0, r1 = d("swin_t_m0"), d("swin_t_m1"), d("resnet18_m0"), d("resnet18_m1")
bad = 0
def check(ok, msg):
    global bad
    print(("ok   " if ok else "FAIL ") + msg)
    bad += not ok
check(s0["host_fallback_kernels"] == 0, f"swin_t: {s0['host_fallback_kernels']} kernels on the host (masks folded)")
masks = [k["name"] for k in s0["kernels"] if "Equal" in k["pattern"] or "ScatterND" in k["pattern"]]
check(not masks, f"swin_t: no mask kernel runs ({masks[:3]})")
# swin_t's products of activations: 2 per block, windows x heads of 64x3, 16x6, 4x12, 1x24 over
# 2, 2, 6, 2 blocks = 1824 matrices
extra = (s1["period_ms"] - s0["period_ms"]) * 1e-3
check(abs(extra - 1824 * 5e-6) < 0.02 * 1824 * 5e-6,
      f"swin_t: 1824 matrices x 5 us lengthen the period by {extra * 1e3:.3f} ms")
check(r1["period_ms"] == r0["period_ms"], f"resnet18 unchanged ({r0['period_ms']:.4f} -> {r1['period_ms']:.4f} ms)")
sys.exit(1 if bad else 0)
EOF
[ "$fail" = 0 ] && echo "dataflow_matmuls: all checks passed" || { echo "dataflow_matmuls: $fail failed"; exit 1; }

#!/usr/bin/env bash
# Without --runtime, CPUs and GPUs run PyTorch eager and accelerators the generic "compiler",
# except an accelerator whose calibration profiles name only vendor runtimes: it runs the one
# that dispatches cheapest (hailo8 -> hailo_dfc, the QCS8550 NPU -> qnn_dlc, RK3588 -> rknn), so
# its published-figure calibration applies. --no-calibration keeps the class default. compare
# picks the same runtime per row as estimate.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
fail=0
rt_of() { "$cli" estimate resnet18 --format json "$@" 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["runtime"], d["confidence"])'; }
check() { # want_runtime args...
	local want=$1 got
	shift
	got=$(rt_of "$@")
	if [ "${got%% *}" != "$want" ]; then
		echo "FAIL estimate $*: runtime '${got:-none}', want $want"; fail=1
	else
		echo "ok   $* -> $got"
	fi
}
check hailo_dfc --hw hailo8
check qnn_dlc --hw qualcomm_qcs8550_npu
check rknn --hw rockchip_rk3588_npu
# the Edge TPU runs its vendor runtime once its published-figure profile is shipped
# (tools/calibrate_published.sh writes it; the class default "compiler" before that)
if ls calibration/google_coral_edge_tpu/default/tflite_edgetpu_libedgetpu1_std.json >/dev/null 2>&1; then
	check tflite_edgetpu_libedgetpu1_std --hw google_coral_edge_tpu
else
	check compiler --hw google_coral_edge_tpu
fi
check pytorch --hw intel_core_i7_12700k
check pytorch --hw nvidia_a100_sxm4_40gb
check compiler --hw hailo8 --no-calibration
check tflite --hw hailo8 --runtime tflite
# the chosen runtime's profile is the one applied: hailo8's own, not a borrowed one
prof=$("$cli" estimate resnet18 --hw hailo8 --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d.get("profile") or {}).get("path", ""), d.get("borrowed_from"), d["confidence_share"]["calibrated"] > 0.5)')
case "$prof" in */hailo8/default/hailo_dfc.json\ None\ True) echo "ok   hailo8 uses $prof" ;;
*) echo "FAIL hailo8 default: profile '$prof', want hailo8/default/hailo_dfc.json applied"; fail=1 ;; esac
# compare: the same per-row choice
"$cli" compare resnet18 --hw hailo8,intel_core_i7_12700k --format json 2>/dev/null | python3 -c '
import json, sys
rows = json.load(sys.stdin)
rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
got = {r["hardware"]: r["runtime"] for r in rows}
want = {"hailo8": "hailo_dfc", "intel_core_i7_12700k": "pytorch"}
if got != want:
    print("FAIL compare runtimes", got, "want", want); sys.exit(1)
print("ok   compare", got)' || fail=1
exit $fail

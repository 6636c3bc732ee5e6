#!/usr/bin/env bash
# graphs timeline: on several models and platforms (GPU, CPU, NPU with host fallback and link
# transfers), the trace's span equals `graphs estimate`'s latency and its memory counter's
# maximum equals the estimate's peak_memory_bytes (within 1%; the figures are printed), each
# kernel is one complete event on a named track, transfers sit on the link track, and the
# arena plan lies between the live-tensor peak's neighbourhood and no reuse. The trace file goes
# through the safe-output rules: a FIFO, link, folder or read-only file is refused with exit 2.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate

cases=(
	"resnet50 --hw nvidia_t4"
	"resnet50 --hw nvidia_t4 --runtime tensorrt --precision int8 --batch 8"
	"bert_base_uncased --hw intel_core_i7_12700k"
	"yolov8n --hw jetson_orin_nano_gpu:15w --precision fp16"
	"mobilenet_v2 --hw hailo8"
	"yolov8n --hw google_coral_edge_tpu"
	"vit_b_16 --hw qualcomm_qrb5165"
	"efficientnet_b0 --hw jetson_orin_agx_gpu:30w --batch 4"
)
i=0
for c in "${cases[@]}"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	if ! "$cli" timeline $c --trace "$tmp/t$i.json" --format json >"$tmp/s$i.json" 2>"$tmp/err"; then
		fail "timeline $c: exit $?: $(cat "$tmp/err")"; continue
	fi
	# shellcheck disable=SC2086
	"$cli" estimate $c --format json >"$tmp/e$i.json" 2>/dev/null || { fail "estimate $c failed"; continue; }
	python3 - "$tmp/t$i.json" "$tmp/e$i.json" "$tmp/s$i.json" "$c" <<'EOF' || fails=$((fails + 1))
import json, sys
trace, est, summ, label = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
ev = trace["traceEvents"]
X = [e for e in ev if e["ph"] == "X"]
C = [e for e in ev if e["ph"] == "C" and e["name"] == "memory"]
names = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
span_ms = (max(e["ts"] + e["dur"] for e in X) - min(e["ts"] for e in X)) / 1e3
cmax = max(e["args"]["bytes"] for e in C)
lat, peak = est["latency_ms"], est["peak_memory_bytes"]
kern = [e for e in X if e.get("cat") not in ("transfer", "runtime")]
xfer = [e for e in X if e.get("cat") == "transfer"]
errs = []
if abs(span_ms - lat) > 0.01 * lat: errs.append(f"span {span_ms} ms vs latency {lat} ms")
if abs(cmax - peak) > 0.01 * peak: errs.append(f"counter max {cmax} vs peak {peak}")
if len(kern) != len(est["kernels"]): errs.append(f"{len(kern)} kernel events for {len(est['kernels'])} kernels")
if any(e["tid"] not in names for e in X): errs.append("an event on an unnamed track")
if any(names[e["tid"]] != "link" for e in xfer): errs.append("a transfer off the link track")
if any(e["dur"] < 0 for e in X): errs.append("negative duration")
# events follow one another: no two overlap in time
s = sorted(X, key=lambda e: e["ts"])
if any(a["ts"] + a["dur"] > b["ts"] + 1e-6 * max(1, b["ts"]) for a, b in zip(s, s[1:])): errs.append("overlapping events")
if abs(summ["trace_span_ms"] - lat) > 0.01 * lat: errs.append("summary span differs")
if summ["peak_memory_bytes"] != peak: errs.append("summary peak differs from the estimate's")
if not (summ["peak_memory_no_reuse_bytes"] >= summ["peak_memory_arena_bytes"] > summ["weight_bytes"]): errs.append("arena/no-reuse order")
fallback = sum(1 for k in est["kernels"] if k.get("bound") == "fallback")
print(f"{label:62s} latency {lat:9.3f} ms span {span_ms:9.3f} ms ({100*(span_ms-lat)/lat:+.4f}%)  "
      f"peak {peak/2**20:8.2f} MiB counter {cmax/2**20:8.2f} MiB ({100*(cmax-peak)/peak:+.4f}%)  "
      f"arena {summ['peak_memory_arena_bytes']/2**20:8.2f} MiB no-reuse {summ['peak_memory_no_reuse_bytes']/2**20:8.2f} MiB  "
      f"{len(kern)} kernels {len(xfer)} transfers {fallback} on host")
for e in errs: print(f"FAIL {label}: {e}")
sys.exit(1 if errs else 0)
EOF
done
# the NPU cases cross the link: inputs/outputs, and host fallback kernels
grep -q '"name":"to_host"' "$tmp/t7.json" || fail "qrb5165 vit_b_16: no host-fallback transfer in the trace"
grep -q '"name":"inputs"' "$tmp/t5.json" || fail "hailo8: no input transfer in the trace"

# table output names the three figures
"$cli" timeline resnet18 --hw nvidia_t4 >"$tmp/table" 2>&1 || fail "table output: exit $?"
for w in "peak memory" "with arena reuse" "without reuse"; do
	grep -q "$w" "$tmp/table" || fail "table lacks '$w'"
done

# safe output: the trace replaces only a regular, writable file
d=$tmp/targets; mkdir -p "$d"; mkfifo "$d/fifo"; echo keep >"$d/real"; ln -s real "$d/link"
mkdir "$d/folder"; echo ro >"$d/ro"; chmod 444 "$d/ro"
for t in fifo link folder ro; do
	"$cli" timeline resnet18 --hw nvidia_t4 --trace "$d/$t" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "--trace $t: exit $rc, want 2"
	grep -qF "$t'" "$tmp/err" || fail "--trace $t: message does not name it: $(cat "$tmp/err")"
done
[ "$(cat "$d/real")" = keep ] || fail "the link's target was changed"
[ "$(ls -A "$d" | tr '\n' ' ')" = "fifo folder link real ro " ] || fail "the folder changed: $(ls -A "$d")"

# usage and bad input
"$cli" timeline resnet18 >/dev/null 2>&1; [ $? -eq 1 ] || fail "no --hw: want exit 1"
"$cli" timeline no_such_model --hw nvidia_t4 >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown model: want exit 2"
"$cli" timeline tests/fixtures/bad/truncated.onnx --hw nvidia_t4 >/dev/null 2>&1
rc=$?; [ $rc -eq 2 ] || [ ! -e tests/fixtures/bad/truncated.onnx ] || fail "bad model: exit $rc, want 2"
"$cli" timeline --help | grep -q "usage: graphs timeline" || fail "--help"

[ $fails -eq 0 ] && echo "timeline: ok (${#cases[@]} model/platform cases)"
exit $((fails > 0))

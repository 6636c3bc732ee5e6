#!/usr/bin/env bash
# The dataflow (Hailo) steady state, on a profile with known dataflow terms (the shipped hailo8
# fit with frame_s, context_bytes and context_s set here): the period is the slowest stage, not
# the sum of the stages, and pipelining beats one frame after another; the frame rate never
# exceeds the link's per-frame floor (frame cost plus inputs/outputs at the link's bandwidth);
# a network over one context's capacity (bytes of weights and activations, or layers) is split
# into contexts and pays their switches, layer configurations and weight reloads over the host
# link on every request, which a batch of 8 amortises; in one context the weights stay beside
# their layers, so batch 8 runs at the rate of batch 1 (as Hailo's tables show); and the latency
# holds those costs (the timeline span equals it: tests/e2e/timeline.sh).
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate
fail=0

python3 - "$root/calibration/hailo8/default/hailo_dfc.json" "$tmp" <<'EOF' || exit 1
import json, sys
p = json.load(open(sys.argv[1]))
for name, ctx, layers in (("ctx", 20e6, 0), ("noctx", 0, 0), ("layers", 0, 30)):
    q = json.loads(json.dumps(p))
    pl = q["precisions"]["int8"]["platform"]
    pl.update(frame_s=3e-4, context_bytes=ctx, context_s=1e-3, context_layers=layers,
              context_layer_s=2e-5, context_fill=0)
    json.dump(q, open(f"{sys.argv[2]}/{name}.json", "w"))
EOF
run() { # name model batch profile
	"$cli" estimate "$2" --hw hailo8 --runtime hailo_dfc --batch "$3" --profile "$tmp/$4.json" \
		--format json >"$tmp/$1.json" 2>"$tmp/err" || { echo "FAIL estimate $*: $(cat "$tmp/err")"; fail=$((fail + 1)); }
}
run r18_1 resnet18 1 ctx
run r18_8 resnet18 8 ctx
run sq_1 squeezenet1_1 1 ctx
run r50_1 resnet50 1 ctx
run r50_8 resnet50 8 ctx
run r50_n resnet50 1 noctx
run v8n_l yolov8n 1 layers
run v8n_n yolov8n 1 noctx
run r18_l resnet18 1 layers
[ "$fail" = 0 ] || exit 1

python3 - "$tmp" <<'EOF' || fail=$((fail + 1))
import json, sys
d = {n: json.load(open(f"{sys.argv[1]}/{n}.json")) for n in ("r18_1", "r18_8", "sq_1", "r50_1", "r50_8", "r50_n")}
lay = {n: json.load(open(f"{sys.argv[1]}/{n}.json")) for n in ("v8n_l", "v8n_n", "r18_l")}
frame_s, ctx_s, link = 3e-4, 1e-3, 3.9e9  # the profile above; hardware/npu/hailo8.yaml's link
bad = 0
def check(ok, what):
    global bad
    print(("ok   " if ok else "FAIL ") + what)
    bad += not ok
for n, e in d.items():
    st = e["stages_ms"]
    per, lat, b = e["period_ms"], e["latency_ms"], e["batch"]
    check(abs(per - max(st.values())) <= 1e-6 * per and per < sum(st.values()),
          f"{n}: period {per:.4f} ms = slowest stage of {st}, not their sum")
    floor = b * frame_s * 1e3 + e["io_transfer_ms"]
    check(per >= floor * (1 - 1e-9), f"{n}: period {per:.4f} ms >= link floor {floor:.4f} ms "
          f"({e['throughput_per_s']:.0f}/s <= {b / floor * 1e3:.0f}/s)")
    check(per <= lat * (1 + 1e-9), f"{n}: period {per:.4f} ms <= latency {lat:.4f} ms")
r18 = d["r18_1"]
check(r18["period_ms"] < 0.9 * r18["latency_ms"] and r18["throughput_bound"] != "latency",
      f"resnet18: pipelined ({r18['throughput_bound']}), {r18['throughput_per_s']:.0f}/s "
      f"> 1/latency {1e3 / r18['latency_ms']:.0f}/s")
check("contexts" not in r18, "resnet18 (11.7 MB) fits one 20 MB context")
check(d["sq_1"]["throughput_bound"] == "transfer",
      f"squeezenet1_1: held by the link's per-frame floor ({d['sq_1']['throughput_bound']})")
r50, r50n, r50b = d["r50_1"], d["r50_n"], d["r50_8"]
w = r50["weight_bytes"]
n50 = sum(k["bound"] != "fallback" for k in r50["kernels"])
reload_ms = (2 * ctx_s + n50 * 2e-5 + w / link) * 1e3
check(r50.get("contexts") == 2, f"resnet50 ({w / 1e6:.1f} MB) in 2 contexts of 20 MB ({r50.get('contexts')})")
check(abs((r50["latency_ms"] - r50n["latency_ms"]) - reload_ms) < 1e-3 * reload_ms,
      f"resnet50: the latency holds 2 switches, {n50} layers configured + {w / 1e6:.1f} MB over the "
      f"link = {reload_ms:.3f} ms "
      f"({r50['latency_ms'] - r50n['latency_ms']:.3f} ms)")
check(r50["period_ms"] >= reload_ms and r50["throughput_per_s"] < r50n["throughput_per_s"],
      f"resnet50: contexts cost {r50n['throughput_per_s']:.0f}/s -> {r50['throughput_per_s']:.0f}/s")
# one context: the weights stay on chip, so batch 8 runs at batch 1's rate; in contexts it
# spreads the reloads over 8 frames
ratio = d["r18_8"]["throughput_per_s"] / r18["throughput_per_s"]
ratio50 = r50b["throughput_per_s"] / r50["throughput_per_s"]
check(abs(ratio - 1) < 0.02, f"resnet18 in one context: batch 8 at batch 1's rate (x{ratio:.3f})")
check(ratio50 > 1.5 * ratio, f"resnet50: batch 8 amortises the reloads ({r50['throughput_per_s']:.0f}/s -> "
      f"{r50b['throughput_per_s']:.0f}/s, x{ratio50:.2f}; resnet18 in one context x{ratio:.2f})")
# the other resource: a context places 30 layers, whatever their weights
v8l, v8n = lay["v8n_l"], lay["v8n_n"]
n_layers = sum(k["bound"] != "fallback" for k in v8l["kernels"])
want = -(-n_layers // 30)
check(v8l.get("contexts") == want, f"yolov8n ({n_layers} layers, {v8l['weight_bytes'] / 1e6:.1f} MB) in "
      f"{want} contexts of 30 layers ({v8l.get('contexts')})")
cost = (want * ctx_s + n_layers * 2e-5 + v8l["weight_bytes"] / link) * 1e3
check(abs((v8l["latency_ms"] - v8n["latency_ms"]) - cost) < 1e-3 * cost,
      f"yolov8n: the latency holds {want} switches, {n_layers} layers configured and the weights over "
      f"the link = {cost:.3f} ms ({v8l['latency_ms'] - v8n['latency_ms']:.3f} ms)")
r18l = lay["r18_l"]
n18 = sum(k["bound"] != "fallback" for k in r18l["kernels"])
check(("contexts" not in r18l) == (n18 <= 30), f"resnet18 ({n18} layers): contexts {r18l.get('contexts', 1)}")
sys.exit(1 if bad else 0)
EOF
[ "$fail" = 0 ] && echo "dataflow_contexts: all checks passed" || { echo "dataflow_contexts: $fail failed"; exit 1; }

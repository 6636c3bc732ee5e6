#!/usr/bin/env bash
# graphs advise (docs/advise.md): each option's figures are what 'graphs estimate' gives for the
# changed configuration (never canned), options are ranked by gain with the budget-breaking ones
# last and marked, and bad arguments exit 2 (usage 1).
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate

"$cli" advise --help | grep -q "usage: graphs advise" || fail "advise --help"
"$cli" advise resnet50 --hw nvidia_t4 --latency-ms 3 --power-w 20 --top 100 --format json >"$tmp/a.json" 2>"$tmp/err" ||
	fail "advise json: $(head -2 "$tmp/err")"
"$cli" estimate resnet50 --hw nvidia_t4 --format json >"$tmp/base.json" 2>/dev/null || fail "estimate base"
"$cli" estimate resnet50 --hw nvidia_t4 --precision int8 --format json >"$tmp/int8.json" 2>/dev/null || fail "int8"
"$cli" estimate resnet50 --hw nvidia_t4 --runtime tensorrt --format json >"$tmp/trt.json" 2>/dev/null || fail "trt"
"$cli" estimate resnet50 --hw nvidia_t4 --batch 8 --format json >"$tmp/b8.json" 2>/dev/null || fail "batch 8"
python3 - "$tmp" <<'PY' || fail "advise figures"
import json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/a.json"))
base = json.load(open(f"{d}/base.json"))
b = j["baseline"]
assert abs(b["latency_ms"] / base["latency_ms"] - 1) < 1e-9
assert b["meets_budget"] is False  # 6.9 ms > 3 ms
opts = {o["change"]: o for o in j["options"]}
def check(change, est, metric):
    e = json.load(open(f"{d}/{est}.json"))
    o = opts[change]
    assert abs(o["latency_ms"] / e["latency_ms"] - 1) < 1e-9, (change, o["latency_ms"], e["latency_ms"])
    if metric == "latency":
        g = base["latency_ms"] / e["latency_ms"]
    else:
        g = e["throughput_per_s"] / base["throughput_per_s"]
    assert abs(o["gain"] / g - 1) < 1e-9, (change, o["gain"], g)
    assert o["improves"] == metric
    print(f"advise resnet50 on nvidia_t4: {change}: x{o['gain']:.2f} {metric} (estimate says x{g:.2f})")
check("int8 instead of fp16", "int8", "latency")
check("runtime tensorrt instead of pytorch", "trt", "latency")
check(next(c for c in opts if c.startswith("batch 8 instead of 1")), "b8", "throughput")
# ranking: within budget first, each group by gain
seen_break = False
last = {True: float("inf"), False: float("inf")}
for o in j["options"]:
    assert o["gain"] >= 1.005
    if not o["meets_budget"]:
        seen_break = True
        assert o["latency_ms"] > 3 or o["power_w"] > 20, o
        assert "breaks" in o
    else:
        assert not seen_break, "an option within budget after one that breaks it"
        assert o["latency_ms"] <= 3 and o["power_w"] <= 20, o
    assert o["gain"] <= last[o["meets_budget"]] + 1e-12
    last[o["meets_budget"]] = o["gain"]
kinds = {o["kind"] for o in j["options"]}
assert {"precision", "batch", "runtime", "platform"} <= kinds, kinds
PY
# power modes of a Jetson are tried
"$cli" advise mobilenet_v2 --hw jetson_orin_agx_gpu:15w --top 100 --format csv >"$tmp/m.csv" 2>/dev/null || fail "csv"
grep -q "^[0-9]*,mode,power mode" "$tmp/m.csv" || fail "no power-mode option for jetson_orin_agx_gpu:15w"
"$cli" advise mobilenet_v2 --hw nvidia_t4 --format markdown 2>/dev/null | grep -q "^| 1 " || fail "markdown"

expect() {
	want=$1; shift
	"$cli" advise "$@" >/dev/null 2>"$tmp/err"; rc=$?
	[ "$rc" = "$want" ] || fail "advise $*: exit $rc, want $want"
	[ -s "$tmp/err" ] || fail "advise $*: no message"
}
expect 2 resnet18 --hw nvidia_t4 --latency-ms -1
expect 2 resnet18 --hw nvidia_t4 --latency-ms abc
expect 2 resnet18 --hw nvidia_t4 --power-w 0
expect 2 resnet18 --hw nvidia_t4 --top 0
expect 2 tests/fixtures/bad/does_not_exist.onnx --hw nvidia_t4
expect 1 resnet18
expect 1 resnet18 --hw no_such_platform
expect 1 resnet18 --hw hailo8 --precision fp64

e2e_end advise

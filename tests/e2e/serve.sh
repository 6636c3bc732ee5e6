#!/usr/bin/env bash
# graphs serve (docs/serve.md): the service curve is the estimator's latency at each batch, the
# analytic and simulated answers agree where the docs say they do, a seed gives the same figures
# twice, every format parses, and bad arguments exit 2 (missing ones 1) with a message.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate

"$cli" serve --help | grep -q "usage: graphs serve" || fail "serve --help"
"$cli" --help | grep -q "^  serve " || fail "serve is not listed in graphs --help"

args="resnet50 --hw nvidia_t4 --rate 300 --max-batch 8 --timeout-ms 5"
"$cli" serve $args --simulate --requests 200000 --format json >"$tmp/a.json" 2>"$tmp/err" ||
	fail "serve json: $(head -2 "$tmp/err")"
"$cli" serve $args --simulate --requests 200000 --format json >"$tmp/b.json" 2>/dev/null
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "the same seed gave different figures"
"$cli" serve $args --simulate --requests 200000 --seed 2 --format json >"$tmp/c.json" 2>/dev/null
cmp -s "$tmp/a.json" "$tmp/c.json" && fail "seeds 1 and 2 gave the same figures"
for b in 1 4 8; do
	"$cli" estimate resnet50 --hw nvidia_t4 --batch $b --format json >"$tmp/est$b.json" 2>/dev/null ||
		fail "estimate at batch $b"
done
python3 - "$tmp" <<'PY' || fail "serve figures"
import json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/a.json"))
curve = {c["batch"]: c["latency_ms"] for c in j["service_curve"]}
assert sorted(curve) == list(range(1, 9)), curve
for b in (1, 4, 8):
    e = json.load(open(f"{d}/est{b}.json"))
    assert abs(curve[b] / e["latency_ms"] - 1) < 1e-9, (b, curve[b], e["latency_ms"])
a, s = j["analytic"], j["simulated"]
assert s["seed"] == 1 and s["requests"] == 180000, s
cap = max(b / (ms * 1e-3) for b, ms in curve.items())
assert abs(j["capacity_per_s"] / cap - 1) < 1e-9
for k in ("throughput_per_s", "mean_ms", "p50_ms", "p99_ms", "utilization", "mean_batch"):
    assert a[k] > 0 and s[k] > 0, k
assert abs(a["utilization"] - s["utilization"]) < 0.02, (a, s)
# utilization 0.9 with few batches carried over: inside the regime where the two agree
print(f"serve resnet50 on nvidia_t4 at 300/s, B 8, T 5 ms: p99 analytic {a['p99_ms']:.3f} ms, "
      f"simulated {s['p99_ms']:.3f} ms ({100 * (a['p99_ms'] / s['p99_ms'] - 1):+.2f}%), "
      f"utilization {a['utilization']:.3f}")
assert abs(a["p99_ms"] / s["p99_ms"] - 1) < 0.05
assert abs(a["mean_ms"] / s["mean_ms"] - 1) < 0.02
# latency at least the fastest service, p50 <= p99
assert curve[1] <= a["p50_ms"] <= a["p99_ms"]
PY

# M/D/1 closed form
"$cli" serve mobilenet_v2 --hw nvidia_t4 --rate 100 --max-batch 1 --timeout-ms 0 >"$tmp/md1.txt" 2>&1 ||
	fail "serve max-batch 1"
grep -q "closed form (M/D/1)" "$tmp/md1.txt" || fail "max-batch 1 is not answered in closed form"

# formats
"$cli" serve $args --format csv >"$tmp/o.csv" 2>/dev/null || fail "serve csv"
head -1 "$tmp/o.csv" | grep -q "^method,throughput_per_s,mean_ms,p50_ms,p99_ms" || fail "csv header"
"$cli" serve $args --format markdown 2>/dev/null | grep -q "^| analytic" || fail "markdown table"

# bad values exit 2, missing options 1, each with a message
expect() {
	want=$1; shift
	"$cli" serve "$@" >/dev/null 2>"$tmp/err"; rc=$?
	[ "$rc" = "$want" ] || fail "serve $*: exit $rc, want $want"
	[ -s "$tmp/err" ] || fail "serve $*: no message"
}
expect 2 resnet50 --hw nvidia_t4 --rate -3 --max-batch 8 --timeout-ms 5
expect 2 resnet50 --hw nvidia_t4 --rate abc --max-batch 8 --timeout-ms 5
expect 2 resnet50 --hw nvidia_t4 --rate 100 --max-batch 0 --timeout-ms 5
expect 2 resnet50 --hw nvidia_t4 --rate 100 --max-batch 5000 --timeout-ms 5
expect 2 resnet50 --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms -1
expect 2 resnet50 --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms nan
expect 2 resnet50 --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms 5 --simulate --requests 5
expect 2 resnet50 --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms 5 --simulate --seed -4
expect 2 resnet50 --hw nvidia_t4 --rate 100000 --max-batch 8 --timeout-ms 5
grep -q "capacity" "$tmp/err" || fail "an unstable rate does not name the capacity"
expect 2 tests/fixtures/bad/does_not_exist.onnx --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms 5
expect 1 resnet50 --hw nvidia_t4 --max-batch 8 --timeout-ms 5
expect 1 resnet50 --rate 100 --max-batch 8 --timeout-ms 5
expect 1 resnet50 --hw no_such_platform --rate 100 --max-batch 8 --timeout-ms 5
expect 1 resnet50 --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms 5 --batch 4
expect 1 resnet50 --hw nvidia_t4 --rate 100 --max-batch 8 --timeout-ms 5 --seed 3

e2e_end serve

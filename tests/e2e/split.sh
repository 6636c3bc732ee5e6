#!/usr/bin/env bash
# graphs split (docs/split.md): the plans' device times are the estimator's kernel times, the
# best plan is never worse than all on A or all on B, more cuts never hurt, a named link's
# figures come from data/links.yaml, every format parses, and bad arguments exit 2 (usage 1).
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate

"$cli" split --help | grep -q "usage: graphs split" || fail "split --help"
hw=hailo8,intel_core_i7_12700k
for k in 0 1 2 3; do
	for obj in latency throughput; do
		"$cli" split mobilenet_v2 --hw $hw --link pcie_gen3_x4 --objective $obj --max-cuts $k --format json \
			>"$tmp/$obj$k.json" 2>"$tmp/err" || fail "split $obj $k: $(head -2 "$tmp/err")"
	done
done
"$cli" estimate mobilenet_v2 --hw hailo8 --runtime hailo_dfc --format json >"$tmp/a.json" 2>/dev/null || fail "estimate A"
"$cli" estimate mobilenet_v2 --hw intel_core_i7_12700k --runtime hailo_dfc --format json >"$tmp/b.json" 2>/dev/null ||
	fail "estimate B"
python3 - "$tmp" "$root/data/links.yaml" <<'PY' || fail "split figures"
import json, re, sys
d, links = sys.argv[1], open(sys.argv[2]).read()
ea, eb = (json.load(open(f"{d}/{x}.json")) for x in ("a", "b"))
sa = sum(k["latency_ms"] for k in ea["kernels"])
sb = sum(k["latency_ms"] for k in eb["kernels"])
m = re.search(r"name:\s*pcie_gen3_x4,\s*bandwidth_gbps:\s*([0-9.]+),\s*latency_us:\s*([0-9.]+)", links)
for obj in ("latency", "throughput"):
    prev = None
    for k in range(4):
        j = json.load(open(f"{d}/{obj}{k}.json"))
        assert j["link"]["bandwidth_gbps"] == float(m.group(1)) and j["link"]["latency_us"] == float(m.group(2)), j["link"]
        A, B = j["all_on_a"], j["all_on_b"]
        assert abs(A["latency_ms"] - sa) < 1e-6 * sa and abs(B["latency_ms"] - sb) < 1e-6 * sb, (A, sa, B, sb)
        best = j["best"]
        key = "latency_ms" if obj == "latency" else "period_ms"
        assert best[key] <= min(A[key], B[key]) * (1 + 1e-12), (obj, k, best[key], A[key], B[key])
        assert len(best["cuts"]) <= k
        if prev is not None:
            assert best[key] <= prev * (1 + 1e-12), (obj, k, best[key], prev)
        prev = best[key]
        # the plan's figures add up from its segments and cuts
        dev = sum(s["ms"] for s in best["segments"])
        xfer = sum(c["transfer_ms"] for c in best["cuts"])
        assert abs(dev + xfer - best["latency_ms"]) < 1e-9 * best["latency_ms"] + 1e-12
        for c in best["cuts"]:
            bw = j["link"]["bandwidth_gbps"] * 1e9
            assert abs(c["transfer_ms"] - (c["bytes"] / bw + j["link"]["latency_us"] * 1e-6) * 1e3) < 1e-6
        if obj == "throughput" and k == 2:
            print(f"split mobilenet_v2 hailo8 | i7-12700K over pcie_gen3_x4, pipelined: best "
                  f"{1e3 / best['period_ms']:.1f}/s ({len(best['cuts'])} cuts) vs all on A "
                  f"{1e3 / A['period_ms']:.1f}/s, all on B {1e3 / B['period_ms']:.1f}/s")
PY

"$cli" split resnet18 --hw nvidia_t4,intel_core_i7_12700k --link 8 --format csv >"$tmp/o.csv" 2>/dev/null || fail "csv"
[ "$(wc -l <"$tmp/o.csv")" = 4 ] || fail "csv: want a header and 3 plans"
"$cli" split resnet18 --hw nvidia_t4,intel_core_i7_12700k --format markdown 2>/dev/null | grep -q "^| best" ||
	fail "markdown"
# a link file of one's own
printf 'links:\n  - {name: slow, bandwidth_gbps: 0.001, latency_us: 1000}\n' >"$tmp/links.yaml"
GRAPHS_LINKS_FILE="$tmp/links.yaml" "$cli" split resnet18 --hw nvidia_t4,intel_core_i7_12700k --link slow \
	>"$tmp/slow.txt" 2>&1 || fail "split with GRAPHS_LINKS_FILE"
grep -q "0.001 GB/s" "$tmp/slow.txt" || fail "the link of GRAPHS_LINKS_FILE was not used"

expect() {
	want=$1; shift
	"$cli" split "$@" >/dev/null 2>"$tmp/err"; rc=$?
	[ "$rc" = "$want" ] || fail "split $*: exit $rc, want $want"
	[ -s "$tmp/err" ] || fail "split $*: no message"
}
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --link warp9
grep -q "pcie_gen4_x16" "$tmp/err" || fail "an unknown link does not list the known ones"
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --link -5
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --link 0
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --objective fastest
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --max-cuts 9
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --max-cuts x
expect 2 resnet18 --hw nvidia_t4,intel_core_i7_12700k --objective throughput --max-cuts 5
expect 2 tests/fixtures/bad/does_not_exist.onnx --hw nvidia_t4,intel_core_i7_12700k
printf 'links: [1, 2\n' >"$tmp/broken.yaml"
GRAPHS_LINKS_FILE="$tmp/broken.yaml" "$cli" split resnet18 --hw nvidia_t4,intel_core_i7_12700k --link x \
	>/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "broken.yaml" "$tmp/err" || fail "a broken links file: want exit 2 naming it"
expect 1 resnet18 --hw nvidia_t4
expect 1 resnet18 --hw nvidia_t4,intel_core_i7_12700k,hailo8
expect 1 resnet18 --hw nvidia_t4,no_such_platform
expect 1 resnet18

e2e_end split

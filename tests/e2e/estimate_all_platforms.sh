#!/usr/bin/env bash
# Every registry platform answers `graphs estimate mobilenet_v2 --hw ID --format json` with the
# contract's fields (DESIGN.md); power modes too. Platforms that cannot run their preferred
# precision would be a registry bug, so any failure fails the test.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
ids=$("$cli" hw list --format json | python3 -c '
import json, sys
for h in json.load(sys.stdin):
    print(h["id"])
    for m in h.get("modes", []):
        print(h["id"] + ":" + (m["name"] if isinstance(m, dict) else m))')
# GRAPHS_TEST_EVERY=N: only every Nth id (the sanitizer build, CMakeLists.txt)
every=${GRAPHS_TEST_EVERY:-1}
ids=$(echo "$ids" | awk -v n="$every" '(NR - 1) % n == 0')
pass=0; fail=0
for id in $ids; do
	if "$cli" estimate mobilenet_v2 --hw "$id" --format json 2>/tmp/est_err.$$ | python3 -c '
import json, sys, math
e = json.load(sys.stdin)
need = ["model", "hardware", "precision", "batch", "latency_ms", "energy_mj", "peak_memory_bytes",
        "flops", "params", "confidence", "kernels", "throughput_per_s"]
miss = [k for k in need if k not in e]
assert not miss, miss
assert e["confidence"] in ("calibrated", "interpolated", "transferred", "theoretical")
for k in ("latency_ms", "energy_mj", "peak_memory_bytes", "flops"):
    assert e[k] > 0 and math.isfinite(e[k]), (k, e[k])
assert e["params"] == 3504872, e["params"]
assert len(e["kernels"]) > 10
for k in e["kernels"]:
    assert k["bound"] in ("compute", "memory", "overhead", "fallback"), k
'; then pass=$((pass + 1)); else echo "FAIL $id: $(cat /tmp/est_err.$$)"; fail=$((fail + 1)); fi
done
rm -f /tmp/est_err.$$
echo "platforms: $pass passed, $fail failed"
[ "$pass" -ge 40 ] && [ "$fail" -eq 0 ]

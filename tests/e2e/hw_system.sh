#!/usr/bin/env bash
# The optional `system:` block of a platform (docs/hardware.md, "System") and the energy it
# gives estimates (docs/estimate.md, "Device and system energy"): bad values are one-line
# errors naming file:line and key with exit 2; a good block shows in `hw show` (and survives
# its YAML round trip); `system_energy_mj` appears only where a system is described, and every
# estimate says which energy it gives and whether it is fitted.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate
good="$root/hardware/gpu/nvidia_a10.yaml"

"$cli" hw validate "$good" >"$tmp/out" 2>&1 || fail "shipped nvidia_a10.yaml does not validate: $(cat "$tmp/out")"

# bad values: "sed expression|key|words the message must hold"
while IFS='|' read -r expr key words; do
	mkdir -p "$tmp/bad"
	sed "$expr" "$good" >"$tmp/bad/nvidia_a10.yaml"
	"$cli" hw validate "$tmp/bad/nvidia_a10.yaml" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "$key ($expr): exit $rc, expected 2"
	grep -q "nvidia_a10.yaml:[0-9][0-9]*: key '$key': .*$words" "$tmp/out" ||
		fail "$key ($expr): no file:line error naming the key: $(head -3 "$tmp/out")"
done <<'CASES'
s/psu_efficiency: 0.90/psu_efficiency: 1.5/|system.psu_efficiency|out of range
s/psu_efficiency: 0.90/psu_efficiency: 0.3/|system.psu_efficiency|below 0.5
s/host_idle_w: 150/host_idle_w: -3/|system.host_idle_w|out of range
s/host_idle_w: 150/host_idle_w: lots/|system.host_idle_w|expected a number
s/accelerators: 1$/accelerators: 2.5/|system.accelerators|expected an integer
s/accelerators: 1$/accelerators: 0/|system.accelerators|out of range
/^  host_active_w: 50/d|system.host_active_w|required key is missing
s/^    - mlcommons.*/    - ""/|system.sources|non-empty string
CASES
# a system that is not a mapping
{ sed '/^system:/,$d' "$good"; echo "system: [1, 2]"; } >"$tmp/bad/nvidia_a10.yaml"  # the block is last
"$cli" hw validate "$tmp/bad/nvidia_a10.yaml" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "key 'system': expected a mapping" "$tmp/out" || fail "system as a list: $(head -2 "$tmp/out")"

# hw show: JSON carries it, YAML round-trips it
"$cli" hw show nvidia_a10 --format json >"$tmp/a10.json" || fail "hw show nvidia_a10 --format json"
python3 -c "
import json, sys
s = json.load(open(sys.argv[1]))['system']
assert s['accelerators'] == 1 and s['psu_efficiency'] == 0.9 and s['host_idle_w'] == 150, s
" "$tmp/a10.json" || fail "hw show json lacks the system block"
mkdir -p "$tmp/rt"
"$cli" hw show nvidia_a10 --format yaml >"$tmp/rt/nvidia_a10.yaml" || fail "hw show nvidia_a10 --format yaml"
"$cli" hw validate "$tmp/rt/nvidia_a10.yaml" >"$tmp/out" 2>&1 || fail "hw show yaml does not validate: $(head -3 "$tmp/out")"
grep -q "psu_efficiency: 0.9" "$tmp/rt/nvidia_a10.yaml" || fail "hw show yaml lost the system block"

# estimates: system energy only where described
"$cli" estimate resnet18 --hw nvidia_a10 --precision int8 --runtime tensorrt --format json >"$tmp/a.json" ||
	fail "estimate on nvidia_a10"
"$cli" estimate resnet18 --hw nvidia_t4 --precision int8 --runtime tensorrt --format json >"$tmp/t.json" ||
	fail "estimate on nvidia_t4"
python3 - "$tmp/a.json" "$tmp/t.json" <<'PY' || fail "energy fields of the estimates"
import json, sys
a, t = (json.load(open(p)) for p in sys.argv[1:3])
assert a["energy_scope"] == "device+system" and a["system_energy_mj"] > a["energy_mj"] > 0, a
assert t["energy_scope"] == "device" and "system_energy_mj" not in t, t
assert a["energy_confidence"] == t["energy_confidence"] == "theoretical"
PY
"$cli" estimate resnet18 --hw nvidia_a10 --precision int8 --runtime tensorrt >"$tmp/a.txt" || fail "table estimate"
grep -q "device, theoretical" "$tmp/a.txt" || fail "table does not say the energy is the device's and theoretical"
grep -q "at the wall: Dell EMC PowerEdge XE2420" "$tmp/a.txt" || fail "table lacks the system line"

# hw show ID:MODE: a comment line with the mode's own figures (peaks scale with clock x units)
"$cli" hw show jetson_orin_agx_gpu:15w >"$tmp/m15.yaml" || fail "hw show ID:MODE"
"$cli" hw show jetson_orin_agx_gpu:maxn >"$tmp/mmax.yaml" || fail "hw show ID:maxn"
python3 - "$tmp/m15.yaml" "$tmp/mmax.yaml" <<'PY' || fail "hw show ID:MODE figures"
import re, sys
def fp32(path):
    line = [l for l in open(path) if l.startswith("# in mode ")]
    assert len(line) == 1, (path, line)
    return float(re.search(r"fp32: ([0-9.e+-]+)", line[0]).group(1))
lo, hi = fp32(sys.argv[1]), fp32(sys.argv[2])
# 6 of 16 SMs at 408 of 1300.5 MHz
assert abs(lo / hi - 6 / 16 * 408 / 1300.5) < 0.01 * lo / hi, (lo, hi)
PY
"$cli" hw show jetson_orin_agx_gpu | grep -q "^# in mode" && fail "hw show without a mode printed a mode line"

e2e_end hw_system

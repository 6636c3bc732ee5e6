#!/usr/bin/env bash
# Physical bounds from the command line (docs/estimate.md, docs/calibrate.md): every estimate
# kernel says whether it was raised to the physical floor (`at_bound`); a profile with impossible
# rates gets its kernels raised and flagged, with efficiencies at most 1; `calibrate --report`
# lists the coefficients the fit held at a bound, none beyond one.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
gt=${GROUNDTRUTH:-$root/../shared/groundtruth}
e2e_isolate

# theoretical: every kernel carries the flag
"$cli" estimate resnet18 --hw nvidia_h100_sxm5 --no-calibration --format json >"$tmp/t.json" 2>"$tmp/err" ||
	fail "theoretical estimate: $(head -2 "$tmp/err")"
python3 - "$tmp/t.json" <<'EOF' || fail "theoretical kernels lack at_bound or exceed efficiency 1"
import json, sys
e = json.load(open(sys.argv[1]))
assert all(isinstance(k["at_bound"], bool) for k in e["kernels"]), "at_bound missing"
assert all(k["efficiency"] <= 1 for k in e["kernels"])
EOF

# a profile claiming every op is free: raised and flagged
python3 - "$root/calibration/jetson_orin_agx_gpu/maxn/pytorch.json" "$tmp/impossible.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["precisions"].values():
    p["platform"]["spill_s_per_byte"] = 0
    p["platform"]["output_s_per_byte"] = 0
    for c in p["classes"].values():
        for k in c["coef"]:
            c["coef"][k] = 1e-18 if k == "s_per_flop" else 0
json.dump(d, open(sys.argv[2], "w"))
EOF
"$cli" estimate resnet50 --hw jetson_orin_agx_gpu:maxn --batch 16 --precision fp16 --profile "$tmp/impossible.json" \
	--format json >"$tmp/i.json" 2>"$tmp/err" || fail "estimate with the impossible profile: $(head -2 "$tmp/err")"
python3 - "$tmp/i.json" <<'EOF' || fail "impossible profile: kernels not raised to the floor"
import json, sys
e = json.load(open(sys.argv[1]))
fitted = [k for k in e["kernels"] if k["confidence"] != "theoretical"]
assert fitted, "no fitted kernel"
assert all(k["at_bound"] for k in fitted), [k["name"] for k in fitted if not k["at_bound"]][:5]
assert all(k["efficiency"] <= 1 + 1e-9 for k in e["kernels"])
assert all(k["latency_ms"] > 0 for k in e["kernels"])
EOF

# the fit: coefficients at a bound are listed, none beyond
if [ ! -f "$gt/models.csv" ]; then
	[ -n "${CI:-}" ] && fail "CI must have the ground truth in $gt"
	echo "skipped the calibrate --report part: no ground truth in $gt"
else
	"$cli" calibrate --hw jetson_orin_agx_gpu:50w --from "$gt/models.csv" --from "$gt/subgraphs.csv" --no-save \
		--report --format json >"$tmp/r.json" 2>"$tmp/err" || fail "calibrate --report: $(head -2 "$tmp/err")"
	python3 - "$tmp/r.json" <<'EOF' || fail "report: at_bound list wrong"
import json, sys
r = json.load(open(sys.argv[1]))["report"]
ab = r["fp32"]["at_bound"]
assert any(b["class"] == "norm" and b["coefficient"] == "s_per_flop" for b in ab), ab
assert not any(b["beyond"] for p in r.values() for b in p["at_bound"])
assert all(b["value"] >= b["bound"] * (1 - 1e-6) for p in r.values() for b in p["at_bound"])
EOF
	"$cli" calibrate --hw jetson_orin_agx_gpu:50w --from "$gt/models.csv" --from "$gt/subgraphs.csv" --no-save \
		--report >"$tmp/r.txt" 2>"$tmp/err" || fail "calibrate --report (table)"
	grep -q "at a physical bound" "$tmp/r.txt" || fail "table report lacks the bound section"
fi

e2e_end physical_bounds

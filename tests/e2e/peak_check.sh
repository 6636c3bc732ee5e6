#!/usr/bin/env bash
# No published measurement may beat its platform's peak (docs/hardware.md, "Peaks against
# published measurements"): tools/peak_check.py must pass on the shipped CSVs and registry, with
# every CPU/GPU row above its peak either fixed in the registry or listed, with a reason, in
# tools/peak_check_allow.csv; without that list it must fail (the check does bite).
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
cd "$root"
expect 0 "no CPU/GPU row above its peak outside the allow list" -- \
	python3 tools/peak_check.py --cli "$cli" --above 1.0 --fail
printf 'registry_id,mode,runtime,precision,zoo_model,batch,metric,reason\n' >"$tmp/none.csv"
expect 1 "the explained rows fail without the allow list" -- \
	python3 tools/peak_check.py --cli "$cli" --above 1.0 --fail --allow "$tmp/none.csv"
python3 tools/peak_check.py --cli "$cli" --above 1.0 --classes cpu,gpu --format csv >"$tmp/rows.csv"
check "the Core Ultra 7 155H's PyTorch fp32 YOLOv8 rows are under its peak" \
	'! grep -q "^cpu,intel_core_ultra_7_155h,,pytorch" "$tmp/rows.csv"'
e2e_end peak_check

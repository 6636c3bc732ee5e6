#!/usr/bin/env bash
# One published measurement feeds one platform's fit. AI Hub reports its "QCS8275 (Proxy)" as a
# mirror of the "SA7255P ADP" (the same job ids, scorecard/device.py); the QCS8275 rows carry
# qualcomm_qcs8275_npu and the SA7255P ADP's stay unmapped, so no job counts twice. The check
# (pubcommon.jobs_counted_once, run by summary.py --check and before any CSV is written) must
# pass on the shipped CSVs and refuse a copy that maps both.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
cd "$root"
expect 0 "summary.py --check passes on the shipped CSVs" -- python3 tools/published/summary.py --check
python3 - > "$tmp/counts" <<'PY'
import csv
rows = list(csv.DictReader(open("data/published/qai_hub_models.csv", newline="")))
npu = lambda pre: [r for r in rows if r["hardware"].startswith(pre) and r["hardware"].endswith(" NPU")]
print(sum(r["registry_id"] == "qualcomm_qcs8275_npu" for r in npu("QCS8275 (Proxy)")), len(npu("QCS8275 (Proxy)")),
      sum(bool(r["registry_id"]) for r in npu("SA7255P ADP")), len(npu("SA7255P ADP")))
PY
read -r q8275 n8275 s7255 n7255 < "$tmp/counts"
check "every QCS8275 (Proxy) NPU row is qualcomm_qcs8275_npu ($q8275 of $n8275)" '[ "$q8275" -gt 400 ] && [ "$q8275" = "$n8275" ]'
check "no SA7255P ADP NPU row is mapped ($s7255 of $n7255)" '[ "$s7255" = 0 ] && [ "$n7255" -gt 400 ]'
expect 1 "mapping the mirrored SA7255P ADP rows as well is refused" -- python3 - <<'PY'
import csv, sys
sys.path.insert(0, "tools/published")
import pubcommon as pc
rows = list(csv.DictReader(open("data/published/qai_hub_models.csv", newline="")))
for r in rows:
    if r["hardware"].startswith("SA7255P ADP") and r["hardware"].endswith(" NPU"):
        r["registry_id"] = "qualcomm_qcs8275_npu"
try:
    pc.jobs_counted_once(rows)
except SystemExit as e:
    print(e)
    sys.exit(1)
PY
grep -q "is mapped under both 'QCS8275 (Proxy)" "$tmp/out" || grep -q "is mapped under both 'SA7255P ADP" "$tmp/out" ||
	fail "the refusal names the two hardware strings: $(cat "$tmp/out")"
e2e_end published_jobs_once

#!/usr/bin/env bash
# validate scores published steady-state throughput rows (metric throughput_fps) against the
# estimate's steady state: each pair holds the period of one batch, 1000 * batch / FPS ms, in
# measured_ms and predicted_ms, at level "throughput". Checks the Hailo-8 model zoo file (all
# throughput) end to end, a row's period to the digit, the prediction against `graphs estimate`'s
# own throughput, and a file with nothing but an unparsable figure. Prints the MAPE per split.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
csv=data/published/hailo_model_zoo.csv
[ -f "$csv" ] || { echo "FAIL: $csv missing"; exit 1; }
"$cli" validate --measurements "$csv" --hw hailo8 --runtime hailo_dfc --format json --out "$tmp/v.json" \
	2>"$tmp/err" || { echo "FAIL: validate exited $?"; cat "$tmp/err"; exit 1; }
"$cli" estimate resnet50 --hw hailo8 --runtime hailo_dfc --precision int8 --batch 8 --format json \
	>"$tmp/e.json" 2>/dev/null || { echo "FAIL: estimate"; exit 1; }
python3 - "$tmp/v.json" "$tmp/e.json" "$csv" <<'PY' || exit 1
import csv, json, sys
v = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
bad = []
rows = [r for r in csv.DictReader(open(sys.argv[3]))
        if r["registry_id"] == "hailo8" and r["zoo_model"] and r["metric"] == "throughput_fps"]
pts = [p for p in v["points"] if p["level"] == "throughput"]
if v["throughput_pairs"] != len(pts) or len(pts) < 40:
    bad.append("throughput pairs: %s (points %d), want >= 40" % (v["throughput_pairs"], len(pts)))
if v["model_pairs"] != 0:
    bad.append("model (latency) pairs from a throughput-only file: %s" % v["model_pairs"])
if len(pts) > len(rows):
    bad.append("%d pairs from %d usable rows" % (len(pts), len(rows)))
# a row's period, to the digit: resnet50 batch 8
want = [r for r in rows if r["zoo_model"] == "resnet50" and r["batch"] == "8"]
got = [p for p in pts if p["model"] == "resnet50" and p["batch"] == 8]
if not want or len(got) != 1:
    bad.append("resnet50 batch 8: %d rows, %d pairs" % (len(want), len(got)))
else:
    period = 1000 * 8 / float(want[0]["value"])
    if abs(got[0]["measured_ms"] - period) > 1e-4 * period:
        bad.append("resnet50 b8 measured %.6g ms, want 1000*8/%s = %.6g" % (got[0]["measured_ms"], want[0]["value"], period))
    pred = 1000 * 8 / e["throughput_per_s"]
    if abs(got[0]["predicted_ms"] - pred) > 1e-3 * pred:
        bad.append("resnet50 b8 predicted %.6g ms, estimate says %.6g (1000*8/%.6g)" % (got[0]["predicted_ms"], pred, e["throughput_per_s"]))
for p in pts:
    if not (p["measured_ms"] > 0 and p["predicted_ms"] > 0):
        bad.append("non-positive pair %s" % p)
for s in v["summary"]:
    if s["level"] == "throughput":
        print("hailo8 throughput %-16s n=%3d MAPE %.1f%% median %.1f%%" % (s["split"], s["n"], s["mape"], s["median_ape"]))
if not [s for s in v["by_model_throughput"] if s["level"] == "throughput"]:
    bad.append("no by_model_throughput section")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
# the text report names the level and the convention
"$cli" validate --measurements "$csv" --hw hailo8 --runtime hailo_dfc >"$tmp/t.txt" 2>&1 || exit 1
grep -q "throughput pairs" "$tmp/t.txt" && grep -q "1000 \* batch / FPS" "$tmp/t.txt" ||
	{ echo "FAIL: text report does not name throughput pairs"; head -20 "$tmp/t.txt"; exit 1; }
# the dashboard draws the throughput pairs (a summary table, a scatter and bars) in Chromium
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	"$cli" validate --measurements "$csv" --hw hailo8 --runtime hailo_dfc --format html \
		--out "$tmp/d.html" 2>/dev/null || { echo "FAIL: html report"; exit 1; }
	timeout 180 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --host-resolver-rules="MAP * ~NOTFOUND" \
		--user-data-dir="$tmp/profile" --virtual-time-budget=30000 --dump-dom \
		"file://$tmp/d.html" >"$tmp/dom.html" 2>/dev/null
	body=$(grep -o '<body [^>]*data-charts=[^>]*>' "$tmp/dom.html" | head -1)
	charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' <<<"$body")
	rendered=$(sed -n 's/.*data-rendered="\([0-9]*\)".*/\1/p' <<<"$body")
	if grep -q 'data-error=' <<<"$body" || [ -z "$charts" ] || [ "$charts" != "$rendered" ] ||
		! grep -q 'id="scatter-throughput"' "$tmp/dom.html" || ! grep -q 'data-level="throughput"' "$tmp/dom.html"; then
		echo "FAIL: dashboard of throughput pairs: charts=${charts:-none} rendered=${rendered:-none}"
		exit 1
	fi
	echo "dashboard: $rendered charts rendered"
fi
echo "validate_throughput: ok"

#!/usr/bin/env bash
# Latency and throughput on a dataflow chip (docs/estimate.md, "Latency and throughput"): the
# Hailo-8 pipelines frames across the layers placed on it, so its steady-state rate is above
# batch / latency. Prints the estimate beside the FPS Hailo publishes at batch 1
# (data/published/hailo_model_zoo.csv) for four classification networks the zoo also has; a
# sanity check of the model, not a fit: no assertion rests on one published figure.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
csv=$root/data/published/hailo_model_zoo.csv
e2e_isolate

[ -f "$csv" ] || { echo "FAIL $csv is missing"; exit 1; }
for zoo in resnet50 mobilenet_v2 resnet18 squeezenet1_1; do
	"$cli" estimate $zoo --hw hailo8 --no-calibration --format json >"$tmp/$zoo.json" 2>"$tmp/err" ||
		fail "estimate $zoo on hailo8: $(head -2 "$tmp/err")"
	"$cli" estimate $zoo --hw hailo8 --no-calibration >"$tmp/$zoo.txt" 2>&1 ||
		fail "estimate $zoo on hailo8 (table)"
	grep -q "throughput .* /s .*steady state" "$tmp/$zoo.txt" || fail "$zoo: the table has no throughput line"
done
python3 - "$csv" "$tmp" <<'PY' || fail "Hailo-8 steady state"
import csv, json, math, sys
published = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["registry_id"] == "hailo8" and r["batch"] == "1" and r["metric"] == "throughput_fps":
        published[r["model"]] = float(r["value"])
nets = [("resnet_v1_50", "resnet50"), ("mobilenet_v2_1.0", "mobilenet_v2"),
        ("resnet_v1_18", "resnet18"), ("squeezenet_v1.1", "squeezenet1_1")]
print(f"{'network':18} {'latency ms':>10} {'est. /s':>8} {'bound':>15} {'batch/lat':>9} {'published':>9} {'ratio':>6}")
logs, problems = [], []
for hailo, zoo in nets:
    e = json.load(open(f"{sys.argv[2]}/{zoo}.json"))
    lat, thr = e["latency_ms"], e["throughput_per_s"]
    pub = published.get(hailo)
    ratio = thr / pub if pub else float("nan")
    print(f"{hailo:18} {lat:10.3f} {thr:8.0f} {e['throughput_bound']:>15} {1000 / lat:9.0f} "
          f"{pub or float('nan'):9.0f} {ratio:6.2f}")
    if thr <= 1000 / lat:
        problems.append(f"{zoo}: {thr:.0f}/s is not above batch / latency ({1000 / lat:.0f}/s): no pipelining")
    if e["throughput_bound"] == "latency":
        problems.append(f"{zoo}: throughput_bound is latency on a dataflow chip")
    if pub:
        logs.append(math.log(ratio))
if len(logs) < 3:
    problems.append(f"only {len(logs)} of the four networks are in {sys.argv[1]}")
else:
    gm = math.exp(sum(logs) / len(logs))
    print(f"geometric mean of estimate / published: {gm:.2f} over {len(logs)} networks")
    # a band wide enough for any one figure to move: the model, not the numbers, is checked
    if not 0.4 <= gm <= 2.5:
        problems.append(f"geometric mean ratio {gm:.2f} is outside 0.4..2.5")
for p in problems:
    print("FAIL", p)
sys.exit(1 if problems else 0)
PY

[ "$fails" -eq 0 ] && echo "hailo8_throughput: ok"
exit $((fails > 0))

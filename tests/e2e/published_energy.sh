#!/usr/bin/env bash
# Energy fitted to published power (docs/calibrate.md, "Energy from published power"):
# `calibrate --from` the MLPerf CSVs stores one scale per (platform, runtime, precision) in
# the profile, with its errors; prints, per group with power, the rows and the error of energy
# per inference as estimated, fitted in sample, leave-one-model-out and leave-one-row-out.
# Estimates with that profile say their system energy is fitted; another precision, another
# runtime and a platform without power stay theoretical; a bad energy_published is exit 2.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate
csvs=()
for f in "$root"/data/published/mlperf_inference_v*.csv; do csvs+=(--from "$f"); done

# every registry platform with a system description and MLPerf power rows, TensorRT int8
for hw in jetson_xavier_agx_gpu jetson_xavier_nx_gpu nvidia_a10; do
	"$cli" calibrate "${csvs[@]}" --hw "$hw" --runtime tensorrt --precision int8 \
		--out "$tmp/$hw.json" >"$tmp/$hw.out" 2>&1 || fail "calibrate $hw: $(tail -3 "$tmp/$hw.out")"
done
# the A10 server without BERT (SingleStream at sequence 384): its ResNet-50 row alone
"$cli" calibrate "${csvs[@]}" --hw nvidia_a10 --runtime tensorrt --precision int8 --exclude-model bert_large_uncased \
	--out "$tmp/a10_one.json" >"$tmp/a10_one.out" 2>&1 || fail "calibrate nvidia_a10 one row: $(tail -3 "$tmp/a10_one.out")"

/usr/bin/python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import json, sys
tmp = sys.argv[1]
bad = []
def pct(v):
    return "n/a" if v is None else "%.1f%%" % (100 * v)
print("group (system energy vs MLPerf wall power)   rows models  scale  as-estimated  fitted  LOMO    LORO")
for hw in ("jetson_xavier_agx_gpu", "jetson_xavier_nx_gpu", "nvidia_a10"):
    p = json.load(open("%s/%s.json" % (tmp, hw)))["precisions"]["int8"]
    e = p.get("energy_published")
    if e is None:
        out = open("%s/%s.out" % (tmp, hw)).read()
        line = [l.strip() for l in out.splitlines() if l.strip().startswith("energy")]
        print("%-44s %s" % (hw + " tensorrt int8", line[0] if line else "no power rows"))
        continue
    print("%-44s %4d %6d %6.3f %13s %7s %7s %7s%s" % (hw + " tensorrt int8", e["rows"], e["models"], e["scale"],
          pct(e["mape_as_estimated"]), pct(e["mape_in_sample"]), pct(e["lomo_mape"]), pct(e["loro_mape"]),
          " (clamped)" if e["clamped"] else ""))
    if e["scope"] != "system":
        bad.append("%s: scope %s, MLPerf meters the wall" % (hw, e["scope"]))
    if e["lomo_mape"] is None and e["loro_mape"] is None:
        bad.append("%s: a stored fit without an out-of-sample error" % hw)
# the Xavier dev kits have ResNet-50 and SSD-MobileNet power rows in both rounds
for hw in ("jetson_xavier_agx_gpu", "jetson_xavier_nx_gpu"):
    e = json.load(open("%s/%s.json" % (tmp, hw)))["precisions"]["int8"].get("energy_published")
    if not e or e["rows"] < 4 or e["models"] < 2 or e["lomo_mape"] is None:
        bad.append("%s: expected a fit of >= 4 rows and 2 models with LOMO, got %r" % (hw, e))
# the A10 server: ResNet-50 and BERT-Large (at its published sequence 384) SingleStream rows
e = json.load(open("%s/nvidia_a10.json" % tmp))["precisions"]["int8"].get("energy_published")
if not e or e["rows"] != 2 or e["models"] != 2 or e["lomo_mape"] is None:
    bad.append("nvidia_a10: expected a fit of 2 rows and 2 models with LOMO, got %r" % (e,))
# one row (ResNet-50 alone) has no out-of-sample error: not stored
if "energy_published" in json.load(open("%s/a10_one.json" % tmp))["precisions"]["int8"]:
    bad.append("nvidia_a10: a one-row energy fit was stored")
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
PY

agx="$tmp/jetson_xavier_agx_gpu.json"
est() { "$cli" estimate resnet50 --format json "$@" 2>"$tmp/err"; }
est --hw jetson_xavier_agx_gpu --runtime tensorrt --precision int8 --profile "$agx" >"$tmp/fit.json" ||
	fail "estimate with the profile: $(cat "$tmp/err")"
# the same profile without its energy fit: the time model is the same, so only the scale differs
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); del d["precisions"]["int8"]["energy_published"]
json.dump(d, open(sys.argv[2], "w"))' "$agx" "$tmp/nofit.json"
est --hw jetson_xavier_agx_gpu --runtime tensorrt --precision int8 --profile "$tmp/nofit.json" >"$tmp/nofit.out" ||
	fail "estimate without the energy fit: $(cat "$tmp/err")"
# a source that meters the device itself (scope device): the device energy is scaled and fitted
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d["precisions"]["int8"]["energy_published"]["scope"] = "device"
json.dump(d, open(sys.argv[2], "w"))' "$agx" "$tmp/device.json"
est --hw jetson_xavier_agx_gpu --runtime tensorrt --precision int8 --profile "$tmp/device.json" >"$tmp/device.out" ||
	fail "estimate with a device fit: $(cat "$tmp/err")"
est --hw jetson_xavier_agx_gpu --runtime tensorrt --precision fp16 --profile "$agx" >"$tmp/fp16.json" ||
	fail "fp16 estimate: $(cat "$tmp/err")"
est --hw jetson_xavier_agx_gpu --runtime onnxruntime --precision int8 --profile "$agx" >"$tmp/ort.json" ||
	fail "onnxruntime estimate: $(cat "$tmp/err")"
est --hw nvidia_t4 --runtime tensorrt --precision int8 >"$tmp/t4.json" || fail "t4 estimate: $(cat "$tmp/err")"
/usr/bin/python3 - "$tmp" "$agx" <<'PY' || fails=$((fails + 1))
import json, sys
tmp, agx = sys.argv[1], sys.argv[2]
ld = lambda n: json.load(open("%s/%s" % (tmp, n)))
f, n = ld("fit.json"), ld("nofit.out")
scale = json.load(open(agx))["precisions"]["int8"]["energy_published"]["scale"]
bad = []
if (f["energy_confidence"], f.get("energy_fit_scope"), f["energy_scope"]) != ("fitted", "system", "device+system"):
    bad.append("fitted estimate: %s / %s / %s" % (f["energy_confidence"], f.get("energy_fit_scope"), f["energy_scope"]))
if not f.get("energy_error_pct", 0) > 0:
    bad.append("fitted estimate without energy_error_pct")
# a wall-power fit scales the system energy only: the device's stays the estimator's
if abs(f["system_energy_mj"] / n["system_energy_mj"] - scale) > 1e-9 or f["energy_mj"] != n["energy_mj"]:
    bad.append("system %.6g vs %.6g (scale %.6g), device %.6g vs %.6g" % (f["system_energy_mj"],
               n["system_energy_mj"], scale, f["energy_mj"], n["energy_mj"]))
d = ld("device.out")
if (d["energy_confidence"], d.get("energy_fit_scope")) != ("fitted", "device") or \
        abs(d["energy_mj"] / n["energy_mj"] - scale) > 1e-9 or not d["system_energy_mj"] > d["energy_mj"]:
    bad.append("device fit: %s %s, energy %.6g vs %.6g" % (d["energy_confidence"], d.get("energy_fit_scope"),
               d["energy_mj"], n["energy_mj"]))
if n["energy_confidence"] != "theoretical" or "energy_fit_scope" in n:
    bad.append("without energy_published: %s" % n["energy_confidence"])
# power rows of int8 TensorRT say nothing of fp16, another runtime or another platform
for name in ("fp16.json", "ort.json", "t4.json"):
    d = ld(name)
    if d["energy_confidence"] != "theoretical" or "energy_fit_scope" in d or "energy_error_pct" in d:
        bad.append("%s: energy %s %s" % (name, d["energy_confidence"], d.get("energy_fit_scope")))
print("resnet50 on jetson_xavier_agx_gpu int8: system energy %.2f mJ fitted (x %.3f, expected error %.1f%%), "
      "device %.2f mJ theoretical" % (f["system_energy_mj"], scale, f["energy_error_pct"], f["energy_mj"]))
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
PY

# bad energy_published blocks: "python edit|key|words"
while IFS='|' read -r edit key words; do
	/usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1])); e = d['precisions']['int8']['energy_published']
$edit
json.dump(d, open(sys.argv[2], 'w'))" "$agx" "$tmp/bad.json"
	est --hw jetson_xavier_agx_gpu --runtime tensorrt --precision int8 --profile "$tmp/bad.json" >/dev/null
	rc=$?
	[ "$rc" = 2 ] || fail "$key: exit $rc, expected 2"
	grep -q "bad.json: key 'precisions.int8.energy_published.$key': .*$words" "$tmp/err" ||
		fail "$key: message does not name the key: $(head -2 "$tmp/err")"
done <<'CASES'
e['scope'] = 'wall'|scope|"device" or "system"
del e['scope']|scope|missing
e['scale'] = 0|scale|expected a number in
e['scale'] = 'x'|scale|expected a number
e['rows'] = 0|rows|expected a number in
e['lomo_mape'] = -1|lomo_mape|expected a number in
del e['loro_mape']|loro_mape|missing
e['clamped'] = 1|clamped|expected true or false
CASES

e2e_end published_energy

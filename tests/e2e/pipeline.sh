#!/usr/bin/env bash
# graphs pipeline: the docs' examples give the numbers their stages' own estimates imply (stages
# on one device add up, stages on separate devices overlap, links add their transfer time, the
# busiest device or link sets the frame rate), and every bad spec in tests/fixtures/pipeline
# (its first line says "# expect: LINE WORDS") is refused with exit 2 naming the file and line.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate

# estimate of one stage as 'graphs estimate' gives it: latency_ms
est() { "$cli" estimate "$@" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["latency_ms"])'; }

# --- the camera pipeline: three models taking turns on one Orin Nano GPU --------------------------
"$cli" pipeline docs/pipeline_camera.yaml --format json >"$tmp/cam.json" 2>"$tmp/err" || fail "camera: exit $?: $(cat "$tmp/err")"
d=$(est yolov8n --hw jetson_orin_nano_gpu:15w --runtime tensorrt --precision fp16)
t=$(est mobilenet_v3_small --hw jetson_orin_nano_gpu:15w --runtime tensorrt --precision fp16 --batch 8)
c=$(est resnet18 --hw jetson_orin_nano_gpu:15w --runtime tensorrt --precision int8 --batch 4)
python3 - "$tmp/cam.json" "$d" "$t" "$c" <<'EOF' || fails=$((fails + 1))
import json, sys
j = json.load(open(sys.argv[1])); d, t, c = map(float, sys.argv[2:5])
near = lambda a, b: abs(a - b) <= 1e-6 * max(1, abs(b))
errs = []
st = {s["name"]: s for s in j["stages"]}
if not all(near(st[n]["call_ms"], v) for n, v in (("detector", d), ("tracker", t), ("classifier", c))): errs.append("stage latencies differ from graphs estimate")
if not near(j["latency_ms"], d + t + c): errs.append(f"latency {j['latency_ms']} != {d+t+c}")
if not near(j["period_ms"], d + t + c): errs.append("one device: the period is the sum of its stages")
if not near(j["throughput_fps"], 1000 / (d + t + c)): errs.append("throughput")
if j["bottleneck"] != {"kind": "device", "name": "jetson_orin_nano_gpu", "stage": "detector"}: errs.append(f"bottleneck {j['bottleneck']}")
dev = j["devices"][0]
if j["meets_target"] is not True or not near(dev["utilization"], (d + t + c) * 30 / 1000): errs.append("utilization at 30 frames/s")
if not near(dev["idle_ms"], 1000 / 30 - (d + t + c)): errs.append("idle per frame")
print(f"camera: detector {d:.3f} + tracker {t:.3f} + classifier {c:.3f} = {j['latency_ms']:.3f} ms, "
      f"{j['throughput_fps']:.1f} frames/s, GPU {100*dev['utilization']:.0f}% busy at 30 frames/s")
for e in errs: print("FAIL camera:", e)
sys.exit(1 if errs else 0)
EOF

# --- the ensemble: parallel branches on the shared T4 and on a Hailo-8 over PCIe ----------------
"$cli" pipeline docs/pipeline_ensemble.yaml --format json >"$tmp/ens.json" 2>"$tmp/err" || fail "ensemble: exit $?: $(cat "$tmp/err")"
python3 - "$tmp/ens.json" <<'EOF' || fails=$((fails + 1))
import json, sys
j = json.load(open(sys.argv[1]))
near = lambda a, b: abs(a - b) <= 1e-6 * max(1, abs(b))
st = {s["name"]: s for s in j["stages"]}
det, ct, ch, fu = st["detector"], st["classify_t4"], st["classify_hailo"], st["fuse"]
errs = []
# the T4 branch waits for the detector on its own device; the Hailo branch only for its transfer
if not near(ct["start_ms"], det["end_ms"]): errs.append("classify_t4 does not follow the detector")
if not near(ch["start_ms"], det["end_ms"] + ch["transfer_ms"]): errs.append("classify_hailo: detector end + transfer")
# 224x224x3 int8 x 4 crops over pcie gen3 x4 (3.94 GB/s, 10 us)
if not near(ch["transfer_ms"], (4 * 3 * 224 * 224 / 3.94e9 + 10e-6) * 1e3): errs.append(f"transfer {ch['transfer_ms']}")
if not near(fu["start_ms"], max(ct["end_ms"], ch["end_ms"]) + fu["transfer_ms"]): errs.append("fuse waits for both branches")
if not near(j["latency_ms"], fu["end_ms"]): errs.append("latency is the last stage's end")
dev = {d["name"]: d for d in j["devices"]}
if not near(dev["nvidia_t4"]["busy_ms"], det["busy_ms"] + ct["busy_ms"]): errs.append("T4 busy = detector + classify_t4")
busiest = max([d["busy_ms"] for d in j["devices"]] + [l["busy_ms"] for l in j["links"]])
if not near(j["period_ms"], busiest): errs.append("period is the busiest resource")
if set(s["parallel_group"] for s in (ct, ch)) != {0} or fu["after"] != ["classify_t4", "classify_hailo"]: errs.append("groups")
links = {l["name"]: l for l in j["links"]}
if not (near(links["host_pcie"]["bandwidth_gbps"], 12) and near(links["m2_slot"]["bandwidth_gbps"], 3.94)): errs.append("links")
print(f"ensemble: latency {j['latency_ms']:.3f} ms, {j['throughput_fps']:.1f} frames/s, bottleneck "
      f"{j['bottleneck']['kind']} {j['bottleneck']['name']} ({j['bottleneck']['stage']})")
for e in errs: print("FAIL ensemble:", e)
sys.exit(1 if errs else 0)
EOF
"$cli" pipeline docs/pipeline_ensemble.yaml >"$tmp/ens.txt" 2>&1 || fail "ensemble table: exit $?"
for w in "end-to-end latency" "throughput" "bottleneck" "bubble_ms" "link m2_slot"; do
	grep -q "$w" "$tmp/ens.txt" || fail "table lacks '$w'"
done

# --- bad specs: exit 2, file and line named ----------------------------------------------------
n=0
for f in tests/fixtures/pipeline/bad_*.yaml; do
	n=$((n + 1))
	read -r _ _ line words < <(head -1 "$f")
	"$cli" pipeline "$f" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] || { fail "$f: exit $rc, want 2: $(cat "$tmp/err")"; continue; }
	grep -qF "$f:$line:" "$tmp/err" || fail "$f: message does not name $f:$line: $(cat "$tmp/err")"
	grep -qF "$words" "$tmp/err" || fail "$f: message lacks '$words': $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && fail "$f: printed a report"
done
[ $n -ge 15 ] || fail "only $n bad specs"

# --- a model file named relative to the spec's folder ----------------------------------------
mkdir -p "$tmp/spec/models"
cp tests/fixtures/models/fixed_batch_cnn.onnx "$tmp/spec/models/m.onnx"
cp tests/fixtures/models/custom_op.onnx "$tmp/spec/models/u.onnx"
printf 'stages:\n  - {name: a, model: models/m.onnx, hw: nvidia_t4}\n  - {name: b, model: models/u.onnx, hw: nvidia_t4}\n' >"$tmp/spec/p.yaml"
(cd / && "$cli" pipeline "$tmp/spec/p.yaml" --format json >"$tmp/rel.json" 2>"$tmp/err") ||
	fail "model relative to the spec: exit $?: $(cat "$tmp/err")"
# a model with an op graphs cannot cost makes the figures bounds, and says so
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); s=j["stages"]; sys.exit(0 if j["lower_bound"] and not s[0]["lower_bound"] and s[1]["lower_bound"] else 1)' "$tmp/rel.json" ||
	fail "lower_bound not marked: $(cat "$tmp/rel.json")"

# --- usage ---------------------------------------------------------------------------------------
"$cli" pipeline >/dev/null 2>&1; [ $? -eq 1 ] || fail "no spec: want exit 1"
"$cli" pipeline "$tmp/none.yaml" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "missing spec: want exit 2"
"$cli" pipeline docs/pipeline_camera.yaml --format csv >/dev/null 2>&1; [ $? -eq 1 ] || fail "--format csv: want exit 1"
printf 'links: {}\n' >"$tmp/links.yaml"
"$cli" pipeline docs/pipeline_camera.yaml --links "$tmp/links.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "links.yaml:1:" "$tmp/err" || fail "bad links file: want exit 2 naming it: $(cat "$tmp/err")"
"$cli" pipeline --help | grep -q "usage: graphs pipeline" || fail "--help"

[ $fails -eq 0 ] && echo "pipeline: ok ($n bad specs refused)"
exit $((fails > 0))

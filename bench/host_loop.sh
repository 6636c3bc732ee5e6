#!/usr/bin/env bash
# The host loop (issue 6): describe this machine (`graphs hw detect --save`), time a few zoo
# models with PyTorch (`graphs benchmark --suite models --per-layer`), fit a profile from them
# (`graphs calibrate --hw host`), then `graphs estimate MODEL --hw host` must predict the PyTorch
# CPU latency (batch 1, torch's default thread count, weights=None) of at least 8 zoo models that
# the calibration never ran with MAPE <= 10%, against torch timings taken in this script.
# Timings are minima over rounds that alternate between calibration runs and truth windows, for
# the calibration as for the truth: on a machine shared with other work the minimum is the
# figure that repeats, and alternating lets both see the same spells of the machine. Prints every
# model's error. Skipped without torch; reports "skip" instead of failing when other processes
# kept more than half a CPU busy meanwhile (the figures are then not about this machine alone).
# Env: HOST_LOOP_CAL / HOST_LOOP_TEST override the model lists; HOST_LOOP_KEEP=DIR keeps files.
set -u
cli=${1:-build/graphs}
case "$cli" in /*) ;; *) cli="$PWD/$cli" ;; esac
torchpy=${GRAPHS_PYTHON:-/usr/bin/python3}
if ! "$torchpy" -c 'import torch, torchvision' 2>/dev/null; then
	echo "host loop: skip: $torchpy has no torch/torchvision"
	exit 0
fi
tmp=${HOST_LOOP_KEEP:-$(mktemp -d /tmp/graphs_host_loop.XXXXXX)}
mkdir -p "$tmp"
[ -n "${HOST_LOOP_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config"
unset GRAPHS_CALIBRATION_PATH GRAPHS_HARDWARE_PATH
mkdir -p "$HOME"

# calibration set: one model per family of ops the test set uses (dense and depthwise convs,
# squeeze-excitation, concat, channel shuffle, fully connected layers)
cal=${HOST_LOOP_CAL:-resnet18,mobilenet_v2,squeezenet1_1,shufflenet_v2_x0_5,efficientnet_b0,googlenet}
test=${HOST_LOOP_TEST:-resnet34,resnet50,mobilenet_v3_small,mobilenet_v3_large,mnasnet0_5,mnasnet1_0,regnet_x_400mf,regnet_y_400mf,squeezenet1_0,shufflenet_v2_x1_0,densenet121,efficientnet_b1,alexnet,vgg11}
threads=$("$torchpy" -c 'import torch; print(torch.get_num_threads())')
echo "host loop: torch default threads $threads; calibrating on $cal"

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
b0=$(busy); t0=$(date +%s.%N)

"$cli" hw detect --save >/dev/null 2>"$tmp/detect.err" || { cat "$tmp/detect.err"; echo "FAIL hw detect --save"; exit 1; }
[ -f "$XDG_CONFIG_HOME/graphs/hardware/host.yaml" ] || { echo "FAIL no host.yaml saved"; exit 1; }

# torch itself times the test models: a few rounds per window, the minimum per model
truth() { # truth WINDOW
	"$torchpy" - "$test" "$tmp/truth$1.txt" <<'PY'
import sys, time, torch, torchvision
names = sys.argv[1].split(",")
models = {}
x = torch.randn(1, 3, 224, 224)
best = {n: float("inf") for n in names}
with torch.inference_mode():
    for n in names:
        kw = {"weights": None}
        if n.startswith("googlenet") or n.startswith("inception"):
            kw.update(aux_logits=False, init_weights=False)
        models[n] = getattr(torchvision.models, n)(**kw).eval()
        for _ in range(3):
            models[n](x)
    for rnd in range(2):
        for n in names:
            for _ in range(6):
                t = time.perf_counter()
                models[n](x)
                best[n] = min(best[n], (time.perf_counter() - t) * 1e3)
with open(sys.argv[2], "w") as f:
    for n in names:
        f.write("%s %.4f\n" % (n, best[n]))
PY
}
bench() {
	"$cli" benchmark --hw host --suite models --backend torch --threads "$threads" --models "$cal" \
		--per-layer --power none --db "$tmp/host.db" --format json >"$tmp/bench.json" 2>"$tmp/bench.err" ||
		{ tail -5 "$tmp/bench.err"; echo "FAIL graphs benchmark"; exit 1; }
}
# calibration runs and truth windows alternate, so that both see the same spells of a shared
# machine; the fit takes every record's minimum over the rounds (--stat min)
# (each window and each run builds its models anew: an instance's speed varies with where its
# tensors land, so both sides take the best of three instances)
bench
truth 1 || { echo "FAIL torch timing"; exit 1; }
bench
truth 2 || { echo "FAIL torch timing"; exit 1; }
bench
truth 3 || { echo "FAIL torch timing"; exit 1; }
awk '{ if (!($1 in b) || $2 < b[$1]) b[$1] = $2; if (!($1 in o)) o[$1] = n++ }
     END { for (m in b) print o[m], m, b[m] }' "$tmp"/truth[123].txt | sort -n | cut -d' ' -f2- >"$tmp/truth.txt"
"$cli" calibrate --hw host --from "$tmp/host.db" --stat min --report >"$tmp/calibrate.txt" 2>"$tmp/calibrate.err" ||
	{ cat "$tmp/calibrate.err" "$tmp/calibrate.txt"; echo "FAIL graphs calibrate"; exit 1; }
prof="$XDG_CONFIG_HOME/graphs/calibration/host/default/pytorch.json"
[ -f "$prof" ] || { echo "FAIL no profile at $prof"; exit 1; }
sed -n '1,20p' "$tmp/calibrate.txt"

b1=$(busy); t1=$(date +%s.%N)
: >"$tmp/est.txt"
for m in ${test//,/ }; do
	"$cli" estimate "$m" --hw host --format json >"$tmp/e.json" || { echo "FAIL estimate $m"; exit 1; }
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], d["latency_ms"], d["confidence"], (d.get("profile") or {}).get("path"))' \
		"$tmp/e.json" "$m" >>"$tmp/est.txt"
done
times >"$tmp/times"
mine=$(awk 'NR==2{split($1,u,/[ms]/); split($2,s,/[ms]/); print u[1]*60+u[2]+s[1]*60+s[2]}' "$tmp/times")
other=$(awk -v b0="$b0" -v b1="$b1" -v hz="$(getconf CLK_TCK)" -v m="$mine" -v t0="$t0" -v t1="$t1" \
	'BEGIN{o=((b1-b0)/hz-m)/(t1-t0); printf "%.2f", o<0?0:o}')

python3 - "$tmp/truth.txt" "$tmp/est.txt" "$other" "$cal" <<'PY'
import sys
truth = dict((l.split()[0], float(l.split()[1])) for l in open(sys.argv[1]) if l.strip())
est = {}
for l in open(sys.argv[2]):
    f = l.split()
    est[f[0]] = (float(f[1]), f[2], f[3])
other, cal = float(sys.argv[3]), set(sys.argv[4].split(","))
errs = []
print("%-22s %10s %10s %8s  %s" % ("model", "torch ms", "estimate", "error", "confidence"))
for m, t in truth.items():
    e, conf, path = est[m]
    err = (e - t) / t
    errs.append(abs(err))
    print("%-22s %10.2f %10.2f %+7.1f%%  %s" % (m, t, e, 100 * err, conf))
mape = 100 * sum(errs) / len(errs)
within = sum(1 for x in errs if x <= 0.10)
print("host loop: %d models never calibrated on, MAPE %.1f%%, %d within +-10%%; other processes used %.2f CPUs"
      % (len(errs), mape, within, other))
bad = []
if cal & set(truth):
    bad.append("test models overlap the calibration set: %s" % sorted(cal & set(truth)))
if any(v[2] == "None" for v in est.values()):
    bad.append("an estimate did not use the host profile")
if len(errs) < 8:
    bad.append("fewer than 8 test models")
if mape > 10.0:
    bad.append("MAPE %.1f%% > 10%%" % mape)
if bad and other > 0.5:
    print("host loop: skip: other processes kept %.2f CPUs busy (%s)" % (other, "; ".join(bad)))
    sys.exit(0)
if bad:
    print("FAIL " + "; ".join(bad))
    sys.exit(1)
print("ok")
PY

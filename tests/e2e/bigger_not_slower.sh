#!/usr/bin/env bash
# Physics of the theoretical mapper: a GPU with twice the SMs and twice every peak (same memory)
# is never estimated slower than the original, for every GPU in the registry without power modes,
# at batch 1 and 32, on a CNN, a depthwise net and a transformer. (A ramp-up charged per unit on
# all units while wave quantization idles most of them once made the bigger card slower.)
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate
mkdir -p "$tmp/hw/gpu"
/usr/bin/python3 - "$root/hardware/gpu" "$tmp/hw/gpu" >"$tmp/pairs" <<'PY' || { echo "FAIL making doubled copies"; exit 1; }
import glob, os, sys, yaml
src, dst = sys.argv[1:3]
for f in sorted(glob.glob(os.path.join(src, "*.yaml"))):
    d = yaml.safe_load(open(f))
    if not isinstance(d, dict) or d.get("modes") or "peak_tops" not in d or "units" not in d.get("compute", {}):
        continue
    d["id"] = d["id"] + "_x2"
    d["name"] = d.get("name", d["id"]) + " x2"
    d["compute"]["units"] *= 2
    d["peak_tops"] = {k: 2 * v for k, v in d["peak_tops"].items()}
    d.pop("derived", None)
    yaml.safe_dump(d, open(os.path.join(dst, os.path.basename(f)[:-5] + "_x2.yaml"), "w"))
    print(d["id"][:-3])
PY
export GRAPHS_HARDWARE_PATH="$tmp/hw"
fails=0 n=0
hw=$(sed 's/.*/&,&_x2/' "$tmp/pairs" | paste -sd, -)
for model in resnet50 mobilenet_v2 bert_base_uncased; do
	for b in 1 32; do
		"$cli" compare "$model" --hw "$hw" --batch "$b" --no-calibration --format json >"$tmp/c.json" 2>"$tmp/err" ||
			{ echo "FAIL $model b$b: $(head -1 "$tmp/err")"; fails=$((fails + 1)); continue; }
		python3 - "$tmp/c.json" "$tmp/pairs" "$model" "$b" <<'PY' || fails=$((fails + 1))
import json, sys
lat = {r["hardware"]: r["latency_ms"] for r in json.load(open(sys.argv[1]))}
bad = 0
for id in open(sys.argv[2]).read().split():
    a, b = lat[id], lat[id + "_x2"]
    if b > a * (1 + 1e-9):
        print("FAIL %s %s b%s: twice the SMs and peaks %.4f ms > %.4f ms" % (id, sys.argv[3], sys.argv[4], b, a))
        bad += 1
sys.exit(1 if bad else 0)
PY
		n=$((n + $(wc -l <"$tmp/pairs")))
	done
done
echo "bigger_not_slower: $n comparisons over $(wc -l <"$tmp/pairs") GPUs, $fails failures"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ]

#!/usr/bin/env bash
# `graphs validate` contract: help, usage errors (exit 1), bad or missing measurement files and
# platforms without rows (exit 2, naming the file and line), and runs on a small ground-truth
# slice in every format. The JSON's summary figures are recomputed from its own points in
# Python (MAPE, median, max, within 10%, Pearson, Spearman with ties), with and without
# leave-one-model-out cross-validation.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
fx=tests/fixtures/validate

expect 0 "help" "$cli" validate --help
grep -q -- "--cv" "$tmp/out" || fail "help lacks --cv"
expect 1 "no --hw" "$cli" validate --measurements $fx/models.csv
expect 1 "no measurements" "$cli" validate --hw intel_core_i7_12700k
expect 1 "bad --cv" "$cli" validate --hw intel_core_i7_12700k --measurements $fx/models.csv --cv platform
expect 1 "bad format" "$cli" validate --hw intel_core_i7_12700k --measurements $fx/models.csv --format pdf
expect 1 "bad precision" "$cli" validate --hw intel_core_i7_12700k --measurements $fx/models.csv --precision fp7
expect 1 "unknown platform" "$cli" validate --hw no_such_chip --measurements $fx/models.csv
expect 2 "missing file" "$cli" validate --hw intel_core_i7_12700k --measurements "$tmp/none.csv"
grep -q "none.csv" "$tmp/err" || fail "missing-file message does not name the file"
# a FIFO named as a measurements file used to hang (no writer): refused, named
mkfifo "$tmp/fifo.csv"
expect 2 "FIFO as measurements" timeout 10 "$cli" validate --hw intel_core_i7_12700k --measurements "$tmp/fifo.csv"
grep -q "fifo.csv.*not a regular file" "$tmp/err" || fail "FIFO message: $(cat "$tmp/err")"
head -3 $fx/models.csv >"$tmp/bad.csv"
echo "intel_core_i7_12700k,fp32,resnet18" >>"$tmp/bad.csv"
expect 2 "truncated row" "$cli" validate --hw intel_core_i7_12700k --measurements "$tmp/bad.csv"
grep -q "bad.csv" "$tmp/err" && grep -q "4" "$tmp/err" ||
	fail "bad-row message does not name file and line: $(cat "$tmp/err")"
expect 2 "platform not measured" "$cli" validate --hw nvidia_h100_sxm5 --measurements $fx/models.csv
grep -q "intel_core_i7_12700k" "$tmp/err" || fail "no-rows message does not list the platforms measured"

# Runs on the slice: every format, the JSON checked against its own points.
expect 0 "table" "$cli" validate --hw jetson_orin_agx_gpu:30w --measurements $fx/models.csv $fx/subgraphs.csv
grep -q "MAPE" "$tmp/out" && grep -q "jetson_orin_agx_gpu:30w" "$tmp/out" || fail "table lacks figures"
expect 0 "markdown" "$cli" validate --hw intel_core_i7_12700k --measurements $fx/models.csv --format markdown
grep -q "^| split" "$tmp/out" || fail "markdown lacks a table"
expect 0 "csv" "$cli" validate --hw intel_core_i7_12700k --measurements $fx/models.csv --format csv
[ "$(head -1 "$tmp/out" | cut -d, -f1-3)" = "level,split,platform" ] || fail "csv header"
[ "$(grep -c '^model,' "$tmp/out")" -eq 6 ] || fail "csv: want 6 whole-model rows"
expect 0 "json" "$cli" validate --hw all --measurements $fx/models.csv --measurements $fx/subgraphs.csv --format json
cp "$tmp/out" "$tmp/plain.json"
expect 0 "json cv" "$cli" validate --hw intel_core_i7_12700k,jetson_orin_agx_gpu --cv model \
	--measurements $fx/models.csv $fx/subgraphs.csv --format json --out "$tmp/cv.json"
[ -s "$tmp/out" ] && fail "--out still printed to stdout"
expect 0 "json fp32" "$cli" validate --hw intel_core_i7_12700k --precision fp32 --no-subgraphs \
	--measurements $fx/models.csv --format json --out "$tmp/fp32.json"

"$py" - "$tmp/plain.json" "$tmp/cv.json" "$tmp/fp32.json" <<'PY' || fails=$((fails + 1))
import json, math, sys

def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    a = 0
    while a < len(v):
        b = a
        while b + 1 < len(v) and v[order[b + 1]] == v[order[a]]:
            b += 1
        for k in range(a, b + 1):
            r[order[k]] = (a + b) / 2 + 1
        a = b + 1
    return r

def pearson(x, y):
    if len(x) < 2:
        return None
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / math.sqrt(sxx * syy)

def figures(pts):
    ape = sorted(abs(p["predicted_ms"] - p["measured_ms"]) / p["measured_ms"] * 100 for p in pts)
    n = len(ape)
    pr = [p["predicted_ms"] for p in pts]
    me = [p["measured_ms"] for p in pts]
    return {"n": n, "mape": sum(ape) / n,
            "median_ape": ape[n // 2] if n % 2 else (ape[n // 2 - 1] + ape[n // 2]) / 2,
            "max_ape": ape[-1], "within10": 100 * sum(a <= 10 + 1e-9 for a in ape) / n,
            "pearson": pearson(pr, me), "spearman": pearson(ranks(pr), ranks(me))}

bad = 0
def check(path, want_splits, want_levels, want_platforms):
    global bad
    d = json.load(open(path))
    pts = d["points"]
    for key in ("summary", "overall", "by_platform", "by_model", "by_op_class", "by_precision", "by_batch"):
        if not isinstance(d.get(key), list):
            print(f"FAIL {path}: no '{key}' array"); bad = 1
    if not pts:
        print(f"FAIL {path}: no points"); bad = 1; return d
    splits = {p["split"] for p in pts}
    levels = {p["level"] for p in pts}
    plats = {p["platform"] for p in pts}
    if not splits <= want_splits:
        print(f"FAIL {path}: splits {splits}, want within {want_splits}"); bad = 1
    if levels != want_levels:
        print(f"FAIL {path}: levels {levels}, want {want_levels}"); bad = 1
    if plats != want_platforms:
        print(f"FAIL {path}: platforms {plats}, want {want_platforms}"); bad = 1
    for p in pts:
        if not (p["measured_ms"] > 0 and p["predicted_ms"] is not None and p["predicted_ms"] >= 0):
            print(f"FAIL {path}: bad pair {p}"); bad = 1; break
        if p["level"] == "subgraph" and not p.get("op_class"):
            print(f"FAIL {path}: subgraph pair without op class {p}"); bad = 1; break
    for row in d["summary"]:
        mine = [p for p in pts if p["level"] == row["level"] and p["split"] == row["split"]
                and p["platform"] == row["platform"] and p["precision"] == row["precision"]]
        f = figures(mine)
        for k, v in f.items():
            got = row[k]
            if v is None or got is None:
                if v != got:
                    print(f"FAIL {path}: {k} of {row['platform']} {row['split']}: {got}, recomputed {v}"); bad = 1
            elif abs(got - v) > 1e-4 * max(1.0, abs(v)):
                print(f"FAIL {path}: {k} of {row['platform']} {row['level']} {row['split']}: {got}, recomputed {v}"); bad = 1
    return d

ALL = {"in_distribution", "ood_model", "ood_platform"}
both = {"intel_core_i7_12700k", "jetson_orin_agx_gpu:30w"}
d = check(sys.argv[1], ALL, {"model", "subgraph"}, both)
if d["model_pairs"] != 12:
    print(f"FAIL plain: {d['model_pairs']} whole-model pairs, want 12"); bad = 1
cv = check(sys.argv[2], ALL, {"model", "subgraph"}, both)
if cv["cv"] != "model":
    print("FAIL cv: not marked as cross-validated"); bad = 1
# leave-one-model-out: every model is scored once out of its fit (and once in-sample)
held = [p for p in cv["points"] if p["split"] != "in_distribution" and p["level"] == "model"]
if len(held) != 12:
    print(f"FAIL cv: {len(held)} held-out whole-model pairs, want 12"); bad = 1
if not any(p["split"] == "ood_model" for p in held):
    print("FAIL cv: no pair scored as an unseen model"); bad = 1
f = check(sys.argv[3], ALL, {"model"}, {"intel_core_i7_12700k"})
if {p["precision"] for p in f["points"]} != {"fp32"} or f["precision"] != "fp32":
    print("FAIL --precision fp32 not applied"); bad = 1
sys.exit(bad)
PY

# Without --cv the platform's profile decides the split: fit one for the Jetson without
# efficientnet_b0 (in a private config folder, shipped profiles hidden): resnet18 and
# mobilenet_v2 are then in-distribution, efficientnet_b0 an unseen model, and the i7, which has
# no profile there, an unseen platform.
cfg="$tmp/cfg"; mkdir -p "$cfg" "$tmp/noship"
awk -F, 'NR == 1 || $3 != "efficientnet_b0"' $fx/models.csv >"$tmp/m_noeff.csv"
awk -F, 'NR == 1 || $3 != "efficientnet_b0"' $fx/subgraphs.csv >"$tmp/s_noeff.csv"
unset GRAPHS_CALIBRATION_PATH
XDG_CONFIG_HOME="$cfg" GRAPHS_CALIBRATION_DIR="$tmp/noship" expect 0 "calibrate without efficientnet_b0" \
	"$cli" calibrate --hw jetson_orin_agx_gpu:30w --from "$tmp/m_noeff.csv" --from "$tmp/s_noeff.csv"
XDG_CONFIG_HOME="$cfg" GRAPHS_CALIBRATION_DIR="$tmp/noship" expect 0 "json with a profile" \
	"$cli" validate --hw all --measurements $fx/models.csv --format json --out "$tmp/prof.json"
"$py" - "$tmp/prof.json" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
want = {("jetson_orin_agx_gpu:30w", "resnet18"): "in_distribution",
        ("jetson_orin_agx_gpu:30w", "mobilenet_v2"): "in_distribution",
        ("jetson_orin_agx_gpu:30w", "efficientnet_b0"): "ood_model",
        ("intel_core_i7_12700k", "resnet18"): "ood_platform"}
bad = 0
seen = set()
for p in d["points"]:
    w = want.get((p["platform"], p["model"]))
    seen.add((p["platform"], p["model"]))
    if w and p["split"] != w:
        print(f"FAIL profile split of {p['platform']} {p['model']}: {p['split']}, want {w}"); bad = 1
        break
if not set(want) <= seen:
    print(f"FAIL pairs missing: {set(want) - seen}"); bad = 1
if not any("profile" in n and "jetson_orin_agx_gpu:30w" in n for n in d["notes"]):
    print(f"FAIL notes do not name the profile used: {d['notes']}"); bad = 1
sys.exit(bad)
PY

expect 0 "html" "$cli" validate --hw all --measurements $fx/models.csv --format html --out "$tmp/d.html"
grep -q "vegaEmbed" "$tmp/d.html" || fail "html lacks the chart library"
grep -q '"model_pairs":12' "$tmp/d.html" || fail "html lacks the report data"
grep -qiE '<script[^>]+src=|<link[^>]+href="?http' "$tmp/d.html" && fail "html loads something from outside"
expect 2 "unwritable --out" "$cli" validate --hw all --measurements $fx/models.csv --out /nonexistent/dir/r.txt
grep -q "/nonexistent/dir" "$tmp/err" || fail "unwritable --out not named"

e2e_end validate_cli

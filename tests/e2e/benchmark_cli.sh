#!/usr/bin/env bash
# `graphs benchmark` contract: help, usage errors (exit 1), bad database (exit 2, names the
# file), a tiny run in table and JSON form with the platform fingerprint and power_source
# "none" where there is no sensor, and CSV import/export in the ground-truth formats.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
py=python3
command -v "$py" >/dev/null || py=/usr/bin/python3

expect 0 "help" "$cli" benchmark --help
grep -q -- "--suite" "$tmp/out" || fail "help lacks --suite"
expect 1 "unknown suite" "$cli" benchmark --suite nope
expect 1 "bad threads" "$cli" benchmark --threads 0
expect 1 "micro on cuda" "$cli" benchmark --suite micro --device cuda
expect 1 "onnxruntime" "$cli" benchmark --backend onnxruntime
expect 1 "bad cpu list" "$cli" benchmark --suite micro --quick --cpus 9999 --db "$tmp/x.db" --filter none
expect 1 "unknown power source" "$cli" benchmark --power thermocouple
expect 0 "list" "$cli" benchmark --suite micro --list --quick
grep -q '^gemm_openblas_fp32_1024$' "$tmp/out" || fail "list lacks gemm"
grep -q '^latency_native_chase_' "$tmp/out" || fail "list lacks the pointer chase"
echo "not a database, just text that is long enough to fill a header page......." >"$tmp/bad.db"
expect 2 "not a database" "$cli" benchmark --db "$tmp/bad.db" --show
grep -q "bad.db" "$tmp/err" || fail "bad db message does not name the file"

# A tiny run, pinned to CPU 0 with one thread, without a power sensor.
GRAPHS_POWERCAP_ROOT=/nonexistent expect 0 "tiny run" "$cli" benchmark --suite micro --quick --threads 1 --cpus 0 \
	--db "$tmp/b.db" --format json --filter 'latency_native_chase_16K,gemm_openblas_fp32_256,gemm_openblas_bf16_*'
[ -s "$tmp/err" ] && fail "stderr not empty off a terminal: $(head -2 "$tmp/err")"
"$py" - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
m = {r["name"]: r for r in d["measurements"]}
p = d["platform"]
errs = []
if d["status"] != "complete": errs.append("status %s" % d["status"])
if set(m) != {"latency_native_chase_16K", "gemm_openblas_fp32_256", "gemm_openblas_bf16_1024"}:
    errs.append("records %s" % sorted(m))
g = m.get("gemm_openblas_fp32_256", {})
if not (g.get("median_ms", 0) > 0 and g.get("rate_unit") == "GFLOP/s" and g.get("threads") == 1):
    errs.append("gemm record %s" % g)
if g.get("power_source") != "none" or g.get("energy_mj") is not None:
    errs.append("power must be 'none' with no energy: %s %s" % (g.get("power_source"), g.get("energy_mj")))
if m.get("gemm_openblas_bf16_1024", {}).get("supported") is not False:
    errs.append("bf16 openblas must be recorded as unsupported")
if p["affinity"] != "0" or p["threads"] != 1 or not p["openblas"] or not p["onednn"]:
    errs.append("platform %s" % p)
for k in ("median_ms", "mean_ms", "std_ms", "p5_ms", "p95_ms", "min_ms", "cv", "outliers", "n"):
    if k not in g: errs.append("missing " + k)
for e in errs: print("FAIL json: " + e)
sys.exit(1 if errs else 0)
PY
expect 0 "show" "$cli" benchmark --db "$tmp/b.db" --show
grep -q "3 measurements" "$tmp/out" || fail "show: $(tail -1 "$tmp/out")"

# CSV: import a ground-truth style file and export it back byte for byte.
printf 'hardware,precision,model,batch,device,thermal,total_latency_ms,total_flops,total_bytes,subgraphs,date,source\r\nintel_core_i7_12700k,fp32,resnet18,1,cpu,,9.8765,3628146688,140000000,30,2026-02-07T00:10:01.341497,x.json\r\n' >"$tmp/models.csv"
expect 0 "import" "$cli" benchmark --db "$tmp/b.db" --import "$tmp/models.csv"
expect 0 "export" "$cli" benchmark --db "$tmp/b.db" --export models --hw intel_core_i7_12700k
cmp -s "$tmp/out" "$tmp/models.csv" || fail "export differs from import"
printf 'a,b\n1,2\n' >"$tmp/junk.csv"
expect 2 "import junk" "$cli" benchmark --db "$tmp/b.db" --import "$tmp/junk.csv"
grep -q "junk.csv" "$tmp/err" || fail "import message does not name the file"
mkfifo "$tmp/fifo.csv" # used to hang without a writer
expect 2 "import a FIFO" timeout 10 "$cli" benchmark --db "$tmp/b.db" --import "$tmp/fifo.csv"
grep -q "fifo.csv.*not a regular file" "$tmp/err" || fail "FIFO import message: $(cat "$tmp/err")"

# --show and --export read: a missing file is exit 2 and is not created.
expect 2 "show a missing database" "$cli" benchmark --db "$tmp/none.db" --show
[ -e "$tmp/none.db" ] && fail "--show created the missing database"
grep -q "none.db" "$tmp/err" || fail "missing db message does not name the file"
expect 2 "export a missing database" "$cli" benchmark --db "$tmp/none.db" --export models
[ -e "$tmp/none.db" ] && fail "--export created the missing database"

# A database with damaged pages (its header intact) is neither appended to nor shown.
expect 0 "import for the damage test" "$cli" benchmark --db "$tmp/dmg.db" --import tests/fixtures/validate/subgraphs.csv
"$py" - "$tmp/dmg.db" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    for page in range(4, 12):
        f.seek(page * 4096)
        f.write(b"\xa5" * 4096)
PY
cp "$tmp/dmg.db" "$tmp/dmg.orig"
for what in "--show" "--import $tmp/models.csv" "--quick --threads 1 --cpus 0 --filter gemm_openblas_fp32_256"; do
	# shellcheck disable=SC2086
	GRAPHS_POWERCAP_ROOT=/nonexistent expect 2 "damaged db: $what" "$cli" benchmark --db "$tmp/dmg.db" $what
	grep -q "dmg.db' is damaged" "$tmp/err" || fail "damaged db ($what): $(head -2 "$tmp/err")"
	cmp -s "$tmp/dmg.db" "$tmp/dmg.orig" || fail "damaged db ($what) was written to"
done

e2e_end benchmark_cli

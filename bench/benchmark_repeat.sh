#!/usr/bin/env bash
# Repeated `graphs benchmark --quick` runs agree: over the kernels longer than 1 ms, the median
# of their CVs across 3 runs (the CV of each kernel's per-run medians) is under 5%, as the
# issue states it; every kernel's CV is printed, so a single noisy one is visible. A few kernels only, to keep the suite cheap:
# GEMM, a conv, a softmax, DRAM bandwidth and L2 latency.
# Timing needs the CPUs: when other processes kept more than a quarter of a CPU busy meanwhile
# (a shared build machine), the numbers are printed and the verdict is "skip", not a failure.
# Virtual machines also slow down in spells that no counter inside them shows, so a failed
# attempt is measured once more and both attempts are printed; one clean attempt passes.
set -u
cli=${1:-build/graphs}
py=python3
command -v "$py" >/dev/null || py=/usr/bin/python3
tmp=$(mktemp -d /tmp/graphs_bench_rep.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
filter='gemm_openblas_fp32_1024,conv2d_onednn_fp32_standard_*,reduction_native_fp32_softmax_*,memory_native_copy_64M,latency_native_chase_1M'
runs=${GRAPHS_REPEAT_RUNS:-3}
attempt() {
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
b0=$(busy); t0=$(date +%s.%N)
for i in $(seq 1 "$runs"); do
	"$cli" benchmark --quick --threads 1 --db "$tmp/r.db" --filter "$filter" >/dev/null ||
		{ echo "FAIL run $i exited $?"; exit 1; }
done
b1=$(busy); t1=$(date +%s.%N)
times >"$tmp/times" # in this shell: a pipe would run it in a subshell without our children
mine=$(awk 'NR==2{split($1,u,/[ms]/); split($2,s,/[ms]/); print u[1]*60+u[2]+s[1]*60+s[2]}' "$tmp/times")
other=$(awk -v b0="$b0" -v b1="$b1" -v hz="$(getconf CLK_TCK)" -v m="$mine" -v t0="$t0" -v t1="$t1" \
	'BEGIN{o=((b1-b0)/hz-m)/(t1-t0); printf "%.2f", o<0?0:o}')
"$py" - "$tmp/r.db" "$runs" "$other" <<'PY'
import sqlite3, statistics, sys
db, runs, other = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
c = sqlite3.connect(db)
rows = c.execute("select name, median_ms from measurements where median_ms is not null order by name, run_id").fetchall()
by = {}
for name, med in rows:
    by.setdefault(name, []).append(med)
fail = 0
cvs = []
for name, meds in sorted(by.items()):
    if len(meds) != runs:
        print("FAIL %s: %d runs recorded, want %d" % (name, len(meds), runs)); fail = 1; continue
    m = statistics.median(meds)
    cv = statistics.stdev(meds) / statistics.mean(meds)
    tag = "not counted (< 1 ms)" if m <= 1.0 else ("" if cv < 0.05 else "noisy")
    if m > 1.0:
        cvs.append(cv)
    print("%-50s median %9.3f ms  cv across runs %5.2f%%  %s" % (name, m, 100 * cv, tag))
if not cvs:
    print("FAIL no kernel longer than 1 ms"); fail = 1
else:
    med = statistics.median(cvs)
    print("median cv across runs of the %d kernels > 1 ms: %.2f%% (limit 5%%)" % (len(cvs), 100 * med))
    fail |= med >= 0.05
if fail and other > 0.25:
    print("benchmark repeat: skip: other processes used %.2f CPUs meanwhile" % other)
    sys.exit(0)
print("benchmark repeat: %s (other processes used %.2f CPUs)" % ("FAIL" if fail else "ok", other))
sys.exit(fail)
PY
}
for try in 1 2; do
	echo "attempt $try:"
	rm -f "$tmp/r.db"*
	attempt && exit 0
done
exit 1

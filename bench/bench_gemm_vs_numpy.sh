#!/usr/bin/env bash
# The harness adds little: the best fp32 GEMM rate that `graphs benchmark --suite micro --quick`
# records must be >= 70% of what NumPy + OpenBLAS (Debian's /usr/bin/python3) reaches on the
# same machine, same threads, same sizes, in this script. NumPy runs before and after graphs and
# its best rate counts (the comparison is the harder for graphs). Prints the figures; exit 1
# when below 70%. Usage: bench/bench_gemm_vs_numpy.sh [build/graphs] [threads]
set -euo pipefail
cli=${1:-build/graphs}
threads=${2:-$(nproc)}
py=${GRAPHS_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d /tmp/graphs_gemm_np.XXXXXX); trap 'rm -rf "$tmp"' EXIT

numpy_best() {
	OPENBLAS_NUM_THREADS=$threads "$py" - <<'PY'
import time, numpy as np
best = 0.0
for n in (256, 512, 1024, 2048):
    a = np.full((n, n), 0.5, dtype=np.float32)
    b = np.full((n, n), 0.25, dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    for _ in range(2):
        np.matmul(a, b, out=c)
    ts = []
    t_end = time.perf_counter() + 0.5
    while len(ts) < 5 or time.perf_counter() < t_end:
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        ts.append(time.perf_counter() - t)
    ts.sort()
    rate = 2.0 * n ** 3 / ts[len(ts) // 2] / 1e9   # median, as graphs reports
    best = max(best, rate)
    print("numpy n=%d: %.1f GFLOP/s" % (n, rate), flush=True)
print("BEST %.3f" % best)
PY
}

echo "numpy (before):"
np1=$(numpy_best | tee /dev/stderr | awk '/^BEST/{print $2}')
"$cli" benchmark --suite micro --quick --threads "$threads" --db "$tmp/g.db" --format json >"$tmp/g.json"
echo "numpy (after):"
np2=$(numpy_best | tee /dev/stderr | awk '/^BEST/{print $2}')
"$py" - "$tmp/g.json" "$np1" "$np2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
gemms = [m for m in d["measurements"] if m["kind"] == "gemm" and m["precision"] == "fp32" and m["rate"]]
best = max(gemms, key=lambda m: m["rate"])
np_best = max(float(sys.argv[2]), float(sys.argv[3]))
ratio = best["rate"] / np_best
for m in gemms:
    print("graphs %-28s %7.1f GFLOP/s" % (m["name"], m["rate"]))
print("cpu: %s, %s threads; openblas: %s" % (d["platform"]["cpu_model"], d["platform"]["threads"],
                                              d["platform"]["openblas"]))
print("best graphs fp32 gemm %.1f GFLOP/s (%s) vs numpy %.1f GFLOP/s: %.0f%% (need >= 70%%)"
      % (best["rate"], best["name"], np_best, 100 * ratio))
sys.exit(0 if ratio >= 0.70 else 1)
PY

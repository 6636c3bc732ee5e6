#!/usr/bin/env bash
# Runs every speed/timing check of bench/ (see bench/README.md) against build/graphs and
# prints a summary. Timing needs a quiet machine; the test suite (tools/test.sh) does not.
set -u
cd "$(dirname "$0")/.."
cli=${1:-build/graphs}
[ -x "$cli" ] || tools/setup.sh --no-example
# tools/test.sh instruments build/ for coverage: its counters would be timed too (and a
# sanitizer or Debug build's checks and -O0): bench/lib/build_kind.sh
. bench/lib/build_kind.sh
bench_refuse_unfit bench "$cli"
pass=0; fail=0
run() { echo "== $*"; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "MISSED: $*"; fi; }
run bash bench/profile_vs_onnx.sh "$cli"
run bash bench/startup.sh "$cli"
run bash bench/big_graphs.sh "$cli"
run "$(dirname "$cli")/bench_estimate_all"
run bash bench/bench_gemm_vs_numpy.sh "$cli"
run bash bench/benchmark_repeat.sh "$cli"
run bash bench/torch_runner_vs_torch.sh "$cli"
run bash bench/host_loop.sh "$cli"
run bash bench/unseen_cpu.sh "$cli"
echo "bench: $pass passed, $fail failed"
[ $fail -eq 0 ]

#!/usr/bin/env bash
# Line and branch coverage of src/ by the test suite (gcov + gcovr), and a floor on lines.
# Usage: tools/coverage.sh [BUILD_DIR]      configure BUILD_DIR (default build-cov) with
#                                           -DGRAPHS_COVERAGE=ON, build it, run ctest, report
#        tools/coverage.sh --report BUILD   report only, on counts an earlier ctest left in BUILD
#                                           (tools/test.sh does this after its own ctest)
# Env: GRAPHS_COVERAGE_MIN (default 85): exit 1 when line coverage is below it.
#      GRAPHS_COVERAGE_DETAIL=1: also print each file's figures, least covered first.
set -euo pipefail
cd "$(dirname "$0")/.."
min=${GRAPHS_COVERAGE_MIN:-85}

report() {
	local build=$1
	grep -q '^GRAPHS_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null ||
		{ echo "coverage: $build is not a -DGRAPHS_COVERAGE=ON build" >&2; exit 2; }
	command -v gcovr >/dev/null || { echo "coverage: gcovr missing (tools/setup.sh --deps-only)" >&2; exit 2; }
	# --exclude-unreachable-branches: no branch counted on a line holding no code of its own
	local args=(--root . --filter 'src/' --exclude-unreachable-branches --gcov-ignore-parse-errors -j "$(nproc)" "$build")
	if [ "${GRAPHS_COVERAGE_DETAIL:-}" = 1 ]; then
		timeout 900 gcovr "${args[@]}" --sort-percentage
	fi
	local out
	# the report goes to a file in the build (never --output /dev/null: gcovr replaces the
	# file it writes, and as root that turns /dev/null into a regular file); a timeout because
	# gcovr's worker pool can hang after a gcov error instead of exiting
	out=$(timeout 900 gcovr "${args[@]}" --print-summary --output "$build/coverage.txt")
	echo "coverage of src/ by the test suite ($build):"
	sed 's/^/  /' <<<"$out"
	local pct
	pct=$(sed -n 's/^lines: \([0-9.]*\)%.*/\1/p' <<<"$out")
	[ -n "$pct" ] || { echo "coverage: no line figure from gcovr" >&2; exit 2; }
	if awk -v p="$pct" -v m="$min" 'BEGIN { exit !(p < m) }'; then
		echo "coverage: lines $pct% is below the floor of $min%" >&2
		exit 1
	fi
}

if [ "${1:-}" = "--report" ]; then
	report "${2:?usage: tools/coverage.sh --report BUILD_DIR}"
	exit 0
fi

build=${1:-build-cov}
jobs=$(nproc)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRAPHS_COVERAGE=ON >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
find "$build" -name '*.gcda' -delete # counts of this run only
rc=0
ctest --test-dir "$build" --output-on-failure -j"$jobs" || rc=$? # a failing test still gets its figures
report "$build"
exit $rc

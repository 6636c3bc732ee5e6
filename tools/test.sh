#!/usr/bin/env bash
# Runs the whole test suite twice: a normal build with -Werror, instrumented for coverage
# (tools/coverage.sh prints line and branch coverage of src/ and fails below its floor), and an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Installs missing Debian packages first.
# Usage: tools/test.sh [--quick]   (--quick: skip the sanitizer build)
# GRAPHS_TEST_COVERAGE=OFF: a plain build without coverage (build/ is then fit for bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --deps-only

jobs=$(nproc)
case "${GRAPHS_TEST_COVERAGE:-ON}" in OFF | off | 0 | NO | no | false) cov=OFF ;; *) cov=ON ;; esac
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRAPHS_COVERAGE="$cov" >/dev/null
cmake --build build -j"$jobs" >/dev/null
find build -name '*.gcda' -delete # coverage of this ctest run alone
ctest --test-dir build --output-on-failure -j"$jobs"
[ "$cov" = OFF ] || tools/coverage.sh --report build
[ -x ../shared/tools/contract-check ] && ../shared/tools/contract-check

if [ "${1:-}" != "--quick" ]; then
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGRAPHS_SANITIZE=ON >/dev/null
	cmake --build build-asan -j"$jobs" >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi

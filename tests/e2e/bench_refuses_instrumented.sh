#!/usr/bin/env bash
# bench/big_graphs.sh refuses (exit 2, timing nothing) to time a coverage, sanitizer or Debug
# build, told by the CMakeCache.txt beside the CLI or by the binary itself
# (bench/lib/build_kind.sh); a plain optimized build passes the check. Fake builds only: the
# build under test may itself be a coverage build (tools/test.sh).
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
cd "$root" || exit 1
. bench/lib/build_kind.sh

# a fake build folder: a CLI that leaves a mark when run, and a cache with the given lines
fake() {
	local d=$tmp/$1
	shift
	mkdir -p "$d"
	printf '#!/bin/sh\ntouch "%s/ran"\n' "$d" >"$d/graphs"
	chmod +x "$d/graphs"
	case "$*" in *CMAKE_BUILD_TYPE*) ;; *) set -- "CMAKE_BUILD_TYPE:STRING=RelWithDebInfo" "$@" ;; esac
	printf '%s\n' "$@" >"$d/CMakeCache.txt"
	echo "$d/graphs"
}
refused() { # NAME CLI WORD: big_graphs.sh exits 2 naming WORD, before running the CLI
	expect 2 "$1" bash bench/big_graphs.sh "$2" 1
	check "$1: names $3" "grep -q '$3' '$tmp/err'"
	check "$1: CLI not run" "[ ! -e '$(dirname "$2")/ran' ]"
}
refused "coverage cache" "$(fake cov GRAPHS_COVERAGE:BOOL=ON)" "coverage"
refused "sanitizer cache" "$(fake asan GRAPHS_SANITIZE:BOOL=ON)" "sanitizer"
refused "Debug cache" "$(fake debug CMAKE_BUILD_TYPE:STRING=Debug)" "Debug"
refused "coverage flags" "$(fake flags "CMAKE_C_FLAGS:STRING=-O2 --coverage")" "coverage"
plain=$(fake plain GRAPHS_COVERAGE:BOOL=OFF GRAPHS_SANITIZE:BOOL=OFF)
check "plain cache passes" "[ -z \"\$(bench_build_unfit '$plain')\" ]"

# binaries with no cache beside them, where a compiler can make them
echo 'int main(void) { return 0; }' >"$tmp/m.c"
mkdir -p "$tmp/bin"
if cc -O2 "$tmp/m.c" -o "$tmp/bin/plain" 2>/dev/null; then
	check "plain binary passes" "[ -z \"\$(bench_build_unfit '$tmp/bin/plain')\" ]"
fi
if (cd "$tmp/bin" && cc --coverage "$tmp/m.c" -o cov) 2>/dev/null; then
	check "gcov binary refused" "bench_build_unfit '$tmp/bin/cov' | grep -q coverage"
fi
if cc -fsanitize=address,undefined "$tmp/m.c" -o "$tmp/bin/asan" 2>/dev/null; then
	check "ASan binary refused" "bench_build_unfit '$tmp/bin/asan' | grep -q sanitizer"
fi
e2e_end bench_refuses_instrumented

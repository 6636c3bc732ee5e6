#!/usr/bin/env bash
# The library split (docs/architecture.md, "Two libraries"): libgraphs.so NEEDs libyaml, cJSON,
# libm and libc only; `graphs --help`, `profile` and `estimate` load none of OpenBLAS, oneDNN,
# OpenMP, SQLite, hwloc or libgraphs-bench (the dynamic loader's own log says what it maps);
# `hw detect` loads libgraphs-bench; when it cannot be loaded, the commands that need it fail
# with exit 2 and an error naming it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(cd "$(dirname "$cli")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
heavy='lib(openblas|dnnl|gomp|sqlite3|hwloc|graphs-bench)'

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
# the sanitizer build's library also NEEDs its runtimes
extra=$(needed "$build/libgraphs.so" | grep -vE '^(libyaml-0\.so|libcjson\.so|libm\.so|libc\.so|ld-linux)' |
	grep -vE '^lib(asan|ubsan|stdc\+\+|gcc_s)' || true)
[ -z "$extra" ] || fail "libgraphs.so NEEDs $(tr '\n' ' ' <<<"$extra")"
! needed "$cli" | grep -qE "$heavy" || fail "graphs NEEDs $(needed "$cli" | grep -E "$heavy")"
needed "$build/libgraphs-bench.so" | grep -qx 'libgraphs.so.[0-9]*' || fail "libgraphs-bench.so does not NEED libgraphs"

loaded() { LD_DEBUG=files "$cli" "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\) .*generating link map.*/\1/p' | sort -u; }
for args in "--help" "profile resnet50" "estimate resnet50 --hw nvidia_t4"; do
	# shellcheck disable=SC2086
	libs=$(loaded $args)
	[ -n "$libs" ] || fail "LD_DEBUG shows no libraries for graphs $args"
	! grep -qE "$heavy" <<<"$libs" || fail "graphs $args loads $(grep -E "$heavy" <<<"$libs" | tr '\n' ' ')"
done
grep -q 'libgraphs-bench' <<<"$(loaded hw detect)" || fail "graphs hw detect does not load libgraphs-bench"

# missing bench library: exit 2, the library named, for every command that needs it
printf 'SQLite format 3\0' >"$tmp/m.db"
for args in "benchmark --list" "hw detect" "calibrate --hw nvidia_t4 --from $tmp/m.db" \
	"validate --hw nvidia_t4 --measurements $tmp/m.db"; do
	rc=0
	# shellcheck disable=SC2086
	GRAPHS_BENCH_LIB=$tmp/none.so "$cli" $args >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ $rc = 2 ] || fail "graphs $args without libgraphs-bench: exit $rc, not 2 ($(head -2 "$tmp/err"))"
	grep -q 'libgraphs-bench.so' "$tmp/err" || fail "graphs $args: error does not name libgraphs-bench: $(cat "$tmp/err")"
done
"$cli" benchmark --help >/dev/null || fail "benchmark --help needs the bench library"
echo "startup_deps: libgraphs NEEDs $(needed "$build/libgraphs.so" | tr '\n' ' '); ok"

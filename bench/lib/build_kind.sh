# shellcheck shell=bash
# Whether a CLI's build is fit for timing (sourced, never run). A coverage build spends its time
# in gcov's counters (atomic ones here: CMakeLists.txt), a sanitizer build in ASan/UBSan's
# checks, a Debug build at -O0: their figures say nothing of the code, and a target they miss is
# no regression. `bench_build_unfit CLI` prints why CLI's build is unfit, one reason per line,
# and nothing for an optimized, uninstrumented build. It reads two sources, since either may be
# missing: the CMakeCache.txt beside the CLI (CMake puts the CLI in the build folder's root), and
# the CLI and the libgraphs it loads themselves (a copied binary has no cache beside it): an
# instrumented object names its .gcda files, a sanitized one needs libasan/libubsan.
# `bench_refuse_unfit NAME CLI` exits 2 with the reasons when there are any.
bench_build_unfit() {
	local cli=$1 cache flags f dyn
	cache=$(dirname "$cli")/CMakeCache.txt
	if [ -f "$cache" ]; then
		grep -Eiq '^GRAPHS_COVERAGE:BOOL=(ON|1|TRUE|YES|Y)$' "$cache" &&
			echo "coverage build (GRAPHS_COVERAGE=ON in $cache)"
		grep -Eiq '^GRAPHS_SANITIZE:BOOL=(ON|1|TRUE|YES|Y)$' "$cache" &&
			echo "sanitizer build (GRAPHS_SANITIZE=ON in $cache)"
		grep -Eiq '^CMAKE_BUILD_TYPE:[A-Z]*=Debug$' "$cache" &&
			echo "unoptimized build (CMAKE_BUILD_TYPE=Debug in $cache)"
		flags=$(sed -n 's/^CMAKE_C_FLAGS[A-Z_]*:[A-Z]*=//p; s/^CMAKE_EXE_LINKER_FLAGS[A-Z_]*:[A-Z]*=//p' "$cache" |
			tr '\n' ' ')
		case " $flags " in *" --coverage "* | *-fprofile-arcs*) echo "coverage flags in $cache: $flags" ;; esac
		case " $flags " in *-fsanitize=*) echo "sanitizer flags in $cache: $flags" ;; esac
	fi
	# the CLI and the libgraphs*.so it loads (ldd answers nothing useful for a script)
	for f in "$cli" $(ldd "$cli" 2>/dev/null | sed -n 's/^[[:space:]]*libgraphs[^ ]* => \([^ ]*\) .*/\1/p'); do
		[ -f "$f" ] || continue
		grep -aq '\.gcda' "$f" && echo "coverage build ($f is instrumented for gcov)"
		# not `readelf | grep -q`: under pipefail, grep leaving early fails the pipe
		dyn=$(readelf -d "$f" 2>/dev/null || true)
		grep -Eq 'NEEDED.*\[lib(asan|ubsan|tsan|lsan)\.' <<<"$dyn" &&
			echo "sanitizer build ($f needs a sanitizer runtime)"
	done
	return 0
}

bench_refuse_unfit() {
	local name=$1 cli=$2 unfit
	unfit=$(bench_build_unfit "$cli")
	[ -n "$unfit" ] || return 0
	echo "$name: not timing $cli: its figures would not be comparable:" >&2
	sed 's/^/  /' <<<"$unfit" >&2
	echo "$name: time a plain build (cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRAPHS_COVERAGE=OFF" \
		"-DGRAPHS_SANITIZE=OFF)" >&2
	exit 2
}

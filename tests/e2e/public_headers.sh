#!/usr/bin/env bash
# The public headers (include/graphs/*.h) stand alone and are C and C++ clean: each one compiles
# by itself as C11 with -Wall -Wextra -Werror and as C++ (g++ -fsyntax-only), has an extern "C"
# block, and names no third-party type (cJSON, yaml, hwloc, sqlite, cblas, dnnl). A C++ program
# including them all links against libgraphs.so and calls into it (C linkage, not mangled).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(cd "$(dirname "$cli")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
n=0
for h in include/graphs/*.h; do
	n=$((n + 1))
	name=graphs/$(basename "$h")
	printf '#include <%s>\n' "$name" >"$work/one.c"
	if ! gcc -std=c11 -Wall -Wextra -Werror -fsyntax-only -Iinclude "$work/one.c" 2>"$work/err"; then
		echo "FAIL $h as C:"; head -5 "$work/err"; fail=1
	fi
	cp "$work/one.c" "$work/one.cpp"
	if ! g++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only -Iinclude "$work/one.cpp" 2>"$work/err"; then
		echo "FAIL $h as C++:"; head -5 "$work/err"; fail=1
	fi
	grep -q 'extern "C"' "$h" || { echo "FAIL $h: no extern \"C\" block"; fail=1; }
	# code only, comments stripped: a third-party type in a declaration
	if gcc -fpreprocessed -dD -E -P -x c "$h" 2>/dev/null |
		grep -nE '\b(cJSON|yaml_[a-z_]+_t|hwloc_[a-z_]+|sqlite3[a-z_]*|cblas_|dnnl_)' >"$work/err"; then
		echo "FAIL $h names a third-party type:"; cat "$work/err"; fail=1
	fi
done
{
	for h in include/graphs/*.h; do printf '#include <graphs/%s>\n' "$(basename "$h")"; done
	cat <<'CPP'
#include <cstdio>
#include <cstring>
int main()
{
	gr_arena *a = gr_arena_new();                 // arena.h
	char *s = gr_arena_strdup(a, "x");
	int fmt = gr_format_parse("json");            // report.h
	char dir[4096];
	int zoo = gr_zoo_dir(dir, sizeof(dir));       // zoo.h
	std::printf("%s %s %d %d %s\n", gr_version(), s, fmt, zoo, gr_status_str(GR_ERR_IO));
	gr_arena_free(a);
	return std::strcmp(gr_version(), "") == 0;
}
CPP
} >"$work/all.cpp"
extra="" # the sanitizer build's library needs its runtime first
grep -q '^GRAPHS_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && extra="-fsanitize=address,undefined"
if [ -f "$build/libgraphs.so" ]; then
	# shellcheck disable=SC2086
	g++ -std=c++11 -Wall -Werror $extra -Iinclude "$work/all.cpp" -L"$build" -lgraphs -Wl,-rpath,"$build" \
		-o "$work/all" 2>"$work/err" || { echo "FAIL C++ program against libgraphs.so:"; head -5 "$work/err"; fail=1; }
	[ $fail = 0 ] && { out=$("$work/all") || { echo "FAIL C++ program ran: $out"; fail=1; }; }
	echo "C++ program: ${out:-}"
fi
echo "public_headers: $n headers, $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail

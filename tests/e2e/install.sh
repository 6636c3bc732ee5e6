#!/usr/bin/env bash
# The installed library works on its own: `cmake --install` of the tested build into a temporary
# prefix, which is then moved (the install is relocatable); examples/*.c built with pkg-config
# alone, run from / with GRAPHS_DATA_DIR unset, print what the installed CLI's JSON says for the
# same query; find_package(graphs) works from a tiny CMake project (shared and static); the
# installed CLI and library read the installed data (a marker platform added there shows up),
# not the source tree's; readelf shows the SONAME; private symbols are not exported; one
# version in gr_version(), `graphs --version` and graphs.pc (docs/install.md).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(cd "$(dirname "$cli")" && pwd)
src=$(pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
unset GRAPHS_DATA_DIR GRAPHS_MODELS_DIR GRAPHS_CALIBRATION_DIR GRAPHS_CALIBRATION_PATH GRAPHS_HARDWARE_PATH
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config # no user registry or profiles
mkdir -p "$HOME"

cmake --install "$build" --prefix "$tmp/stage" >/dev/null
mv "$tmp/stage" "$tmp/prefix" # relocated: nothing may remember the install-time path
P=$tmp/prefix
libdir=$(dirname "$(find "$P" -name 'libgraphs.so.*' -type f | head -1)")
[ -d "$libdir" ] || fail "no libgraphs.so.* installed"
for f in bin/graphs include/graphs/common.h include/graphs/version.h share/graphs/hardware \
	share/graphs/calibration share/graphs/models/resnet50.onnx share/graphs/data/published; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
[ -f "$libdir/libgraphs.a" ] || fail "libgraphs.a not installed"
[ -L "$libdir/libgraphs-bench.so.0" ] && [ -f "$libdir/libgraphs-bench.a" ] || fail "libgraphs-bench not installed"
# the moved prefix's CLI loads the moved prefix's bench library (host detection: hwloc)
(cd / && "$P/bin/graphs" hw detect >/dev/null) || fail "installed graphs hw detect (libgraphs-bench) fails"
[ -f "$libdir/pkgconfig/graphs.pc" ] || fail "graphs.pc not installed"

# SONAME and exports
so=$(ls "$libdir"/libgraphs.so.*.*)
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
version=$("$P/bin/graphs" --version | awk '{print $2}')
[ "$soname" = "libgraphs.so.${version%%.*}" ] || fail "SONAME '$soname', version $version"
[ -L "$libdir/$soname" ] || fail "no $soname link"
exports=$(nm -D --defined-only "$so" | awk '{print $3}')
grep -qx gr_version <<<"$exports" || fail "gr_version not exported"
grep -qx gr_estimate_run <<<"$exports" || fail "gr_estimate_run not exported"
for private in gr_hw_to_json gr_profile_to_json calib_profile_from_json gr_outfile_commit pb_file_map; do
	! grep -qx "$private" <<<"$exports" || fail "private symbol $private is exported"
done
nonpub=$(grep -v '^gr_' <<<"$exports" || true)
[ -z "$nonpub" ] || fail "symbols outside the API exported: $(head -3 <<<"$nonpub")"

# pkg-config only; the build's sanitizers or coverage (if any) come along
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion graphs)" = "$version" ] || fail "graphs.pc version differs from $version"
extra=""
grep -q '^GRAPHS_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && extra="-fsanitize=address,undefined"
# a coverage build's libgraphs.a needs libgcov at link time (tools/test.sh builds one)
grep -q '^GRAPHS_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && extra="$extra --coverage"
mkdir "$tmp/ex"
for c in "$src"/examples/*.c; do
	name=$(basename "$c" .c)
	# shellcheck disable=SC2046,SC2086
	cc -std=c11 -Wall -Werror $extra "$c" $(pkg-config --cflags --libs graphs) -o "$tmp/ex/$name" ||
		fail "examples/$name.c does not build with pkg-config"
done
export LD_LIBRARY_PATH=$libdir
# shellcheck disable=SC2016
grep -q "$libdir/libgraphs.so" <<<"$(ldd "$tmp/ex/profile_model")" || fail "example not linked to the installed library"

# the installed data is what is read: a marker platform added to it is listed, from /
cp "$P/share/graphs/hardware/gpu/nvidia_t4.yaml" "$P/share/graphs/hardware/gpu/zz_install_marker.yaml"
sed -i 's/^id: .*/id: zz_install_marker/' "$P/share/graphs/hardware/gpu/zz_install_marker.yaml"
grep -q zz_install_marker <<<"$(cd / && "$P/bin/graphs" hw list)" || fail "installed CLI does not read $P/share/graphs"

hws="nvidia_t4,intel_core_i7_12700k,jetson_orin_agx_gpu:15w,zz_install_marker"
cd /
"$P/bin/graphs" profile resnet50 --format json >"$tmp/profile.json"
"$P/bin/graphs" estimate resnet50 --hw nvidia_t4 --format json >"$tmp/estimate.json"
"$P/bin/graphs" compare resnet50 --hw "$hws" --format json >"$tmp/compare.json"
"$tmp/ex/profile_model" resnet50 >"$tmp/ex_profile.json"
"$tmp/ex/estimate_platform" resnet50 nvidia_t4 >"$tmp/ex_estimate.json"
# shellcheck disable=SC2086
"$tmp/ex/compare_platforms" resnet50 ${hws//,/ } >"$tmp/ex_compare.json"
# the sweep example writes exactly the CLI's csv: same rows, same bytes, same grid id
"$P/bin/graphs" sweep resnet18 --hw "$hws" --batch 1,8 --format csv >"$tmp/sweep.csv"
# shellcheck disable=SC2086
"$tmp/ex/sweep" resnet18 1,8 ${hws//,/ } >"$tmp/ex_sweep.csv"
cmp -s "$tmp/sweep.csv" "$tmp/ex_sweep.csv" || fail "examples/sweep.c: its csv differs from graphs sweep's"
cd "$src"
python3 - "$tmp" <<'PY'
import json, math, sys
tmp = sys.argv[1]
def load(name): return json.load(open(f"{tmp}/{name}"))
def lines(name): return [json.loads(l) for l in open(f"{tmp}/{name}") if l.strip()]
bad = []
def same(where, ex, cli):
    for k, v in ex.items():
        if k not in cli:
            bad.append(f"{where}: CLI JSON has no '{k}'")
        elif isinstance(v, float) or isinstance(cli[k], float):
            if not math.isclose(v, cli[k], rel_tol=1e-9):
                bad.append(f"{where}: {k} {v} != CLI {cli[k]}")
        elif v != cli[k]:
            bad.append(f"{where}: {k} {v!r} != CLI {cli[k]!r}")
same("profile_model", lines("ex_profile.json")[0], load("profile.json"))
same("estimate_platform", lines("ex_estimate.json")[0], load("estimate.json"))
cmp, rows = lines("ex_compare.json"), load("compare.json")
if len(cmp) != len(rows):
    bad.append(f"compare_platforms: {len(cmp)} rows, CLI {len(rows)}")
by_hw = {r["hardware"]: r for r in rows}
for r in cmp:
    same(f"compare_platforms {r['hardware']}", r, by_hw.get(r["hardware"], {}))
for b in bad:
    print("FAIL", b)
print(f"examples vs CLI JSON: {len(cmp) + 2} results compared, {len(bad)} differ")
sys.exit(1 if bad else 0)
PY

# the C programs of docs/api.md and docs/install.md build and run as written
python3 - "$src" "$tmp/doc" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
n = 0
for page in ("api", "install"):
    text = open(f"{src}/docs/{page}.md").read()
    for i, block in enumerate(re.findall(r"^```c\n(.*?)^```", text, re.S | re.M)):
        if "int main" in block:
            open(f"{out}/{page}_{i}.c", "w").write(block)
            n += 1
if n < 2:
    sys.exit(f"docs: {n} C programs found in docs/api.md and docs/install.md, expected 2")
PY
for c in "$tmp"/doc/*.c; do
	# shellcheck disable=SC2046,SC2086
	cc -std=c11 -Wall -Werror $extra "$c" $(pkg-config --cflags --libs graphs) -o "${c%.c}" ||
		fail "docs/$(basename "${c%_*}").md: its C program does not build"
	(cd / && "${c%.c}") >"${c%.c}.out" || fail "docs/$(basename "${c%_*}").md: its C program fails"
done
api_ms=$(sed -n 's/.*: \([0-9.]*\) ms,.*/\1/p' "$tmp"/doc/api_*.out)
cli_ms=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["latency_ms"])' "$tmp/estimate.json")
[ "$api_ms" = "$cli_ms" ] || fail "docs/api.md program says $api_ms ms, graphs estimate $cli_ms ms"

# find_package(graphs) from a tiny CMake project: shared, and static with COMPONENTS static
mkdir "$tmp/cm"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(use_graphs C)
find_package(graphs 0 REQUIRED COMPONENTS static)
add_executable(use_shared main.c)
target_link_libraries(use_shared PRIVATE graphs::graphs)
add_executable(use_static main.c)
target_link_libraries(use_static PRIVATE graphs::graphs_static)
CM
cat >"$tmp/cm/main.c" <<'C'
#include <stdio.h>
#include <graphs/hw.h>
#include <graphs/version.h>
int main(void)
{
	gr_error err = {0};
	gr_hw_registry *r = NULL;
	if (gr_hw_registry_load(gr_hw_builtin_dir(), &r, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%s %zu %s\n", gr_version(), gr_hw_registry_count(r), gr_data_dir());
	gr_hw_registry_free(r);
	return 0;
}
C
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_FLAGS="$extra" \
	-DCMAKE_EXE_LINKER_FLAGS="$extra" >"$tmp/cm.log" 2>&1 || { tail -20 "$tmp/cm.log"; fail "find_package(graphs)"; }
cmake --build "$tmp/cm/build" -j2 >"$tmp/cm.log" 2>&1 || { tail -20 "$tmp/cm.log"; fail "building against graphs::graphs"; }
# a program with libgraphs.a inside cannot tell where the prefix is: it is told (docs/install.md)
for exe in use_shared use_static; do
	if [ $exe = use_static ]; then
		out=$(cd / && GRAPHS_DATA_DIR=$P/share/graphs "$tmp/cm/build/$exe") || fail "$exe did not run"
	else
		out=$(cd / && "$tmp/cm/build/$exe") || fail "$exe did not run"
	fi
	read -r v n dir <<<"$out"
	[ "$v" = "$version" ] || fail "$exe: gr_version $v, CLI $version"
	[ "$(realpath "$dir")" = "$(realpath "$P/share/graphs")" ] || fail "$exe: data dir $dir, not the installed one"
	[ "$n" -gt 50 ] || fail "$exe: $n platforms"
done
grep -q "$libdir/libgraphs.so" <<<"$(ldd "$tmp/cm/build/use_shared")" || fail "use_shared not linked to the installed library"
! grep -q libgraphs.so <<<"$(ldd "$tmp/cm/build/use_static")" || fail "use_static linked to libgraphs.so"
echo "install: ok (version $version, $soname, $(wc -l <<<"$exports") symbols exported) in $SECONDS s"

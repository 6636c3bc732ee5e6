#!/usr/bin/env bash
# The Debian package (cmake/package.cmake): cpack -G DEB from the tested build into a temporary
# folder; dpkg-deb -I shows the package name, the project's version, the section and a Depends
# that dpkg-shlibdeps filled (libyaml, cJSON, ...; each an installed package here); dpkg-deb -c
# lists the essential files under /usr (the CLI, libgraphs.so.0 and its link, headers, graphs.pc,
# man pages, the registry); dpkg-deb -x into a temporary root, whose CLI, run from / with
# GRAPHS_* unset, reads its own /usr/share/graphs and gives the build's CLI's resnet50 latency on
# nvidia_t4; a program built against the extracted headers and libgraphs.so does too. lintian,
# when installed, is run and its tags reported, not judged. `dpkg -i` installs it into a throwaway
# root with a copy of this system's package database (not a clean chroot: that needs a Debian
# root from a mirror), and refuses it when libyaml is missing from that copy.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(dirname "$cli")
src=$(pwd)
fail() { echo "deb: FAIL: $*" >&2; exit 1; }
for t in cpack dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null || fail "$t not found (tools/setup.sh installs dpkg-dev)"
done
unset GRAPHS_DATA_DIR GRAPHS_MODELS_DIR GRAPHS_CALIBRATION_DIR GRAPHS_CALIBRATION_PATH \
	GRAPHS_HARDWARE_PATH GRAPHS_WEB_DIR
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config # no user registry or profiles
mkdir -p "$HOME"

t0=$SECONDS
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
	{ tail -20 "$tmp/cpack.log"; fail "cpack -G DEB"; }
debs=("$tmp"/pkg/*.deb)
{ [ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ]; } || fail "cpack made ${#debs[@]} .deb files: ${debs[*]}"
deb=${debs[0]}
build_s=$((SECONDS - t0))

# control fields
version=$("$cli" --version | awk '{print $2}')
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = graphs ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), graphs --version $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture: $(field Architecture)"
{ [ -n "$(field Maintainer)" ] && [ -n "$(field Section)" ] && [ -n "$(field Description)" ]; } ||
	fail "Maintainer, Section or Description missing"
depends=$(field Depends)
for lib in libyaml libcjson libhwloc libsqlite3 libc6; do
	grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
# every dependency (one of each set of alternatives) names a package installed here
IFS=',' read -ra deps <<<"$depends"
for d in "${deps[@]}"; do
	found=""
	IFS='|' read -ra alts <<<"$d"
	for a in "${alts[@]}"; do
		name=$(awk '{print $1}' <<<"$a")
		dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" && found=$name
	done
	[ -n "$found" ] || fail "Depends names '$d', not an installed package"
done

# dpkg -i into a throwaway root whose package database is a copy of this system's: the
# dependencies are checked against what is installed here (all present: it installs; libyaml
# taken out of the copy: dpkg refuses it). Maintainer scripts run outside a chroot.
dpkg_root() { # ROOT STATUS-FILTER: dpkg -i into ROOT, the status copy filtered by awk
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" "$1/var/lib/dpkg/triggers"
	awk -v RS= -v ORS='\n\n' "$2" /var/lib/dpkg/status >"$1/var/lib/dpkg/status"
	touch "$1/var/lib/dpkg/available"
	dpkg --root="$1" --admindir="$1/var/lib/dpkg" --force-script-chrootless --force-not-root \
		-i "$deb" >"$1.log" 2>&1
}
dpkg_root "$tmp/dpkg" 1 || { grep -v 'files list file' "$tmp/dpkg.log" | tail; fail "dpkg -i"; }
dpkg-query --admindir="$tmp/dpkg/var/lib/dpkg" -W -f='${Status}' graphs | grep -q "install ok installed" ||
	fail "dpkg -i did not leave graphs installed"
(cd / && "$tmp/dpkg/usr/bin/graphs" estimate resnet50 --hw nvidia_t4 >/dev/null) || fail "graphs installed by dpkg -i"
! dpkg_root "$tmp/nolibyaml" '!/^Package: libyaml-0-2\n/' || fail "dpkg -i went on without libyaml-0-2"
grep -q "depends on libyaml-0-2" "$tmp/nolibyaml.log" || fail "dpkg -i without libyaml: $(tail -3 "$tmp/nolibyaml.log")"

# contents: the essential files (more libraries may come; the paths tolerate lib/<multiarch>/)
dpkg-deb -c "$deb" | awk '{ p = $6; if ($7 == "->") p = p " -> " $8; print p }' | sed 's|^\./|/|' >"$tmp/list"
has() { grep -qE "$1" "$tmp/list" || fail "not in the package: $1"; }
has '^/usr/bin/graphs$'
has '^/usr/lib/([^/]+/)?libgraphs\.so\.[0-9]+\.[0-9]+\.[0-9]+$'
has "^/usr/lib/([^/]+/)?libgraphs\\.so\\.${version%%.*} -> libgraphs\\.so\\.$version$"
has '^/usr/lib/([^/]+/)?libgraphs\.so -> '
has '^/usr/lib/([^/]+/)?libgraphs\.a$'
has '^/usr/include/graphs/version\.h$'
has '^/usr/include/graphs/estimate\.h$'
has '^/usr/lib/([^/]+/)?pkgconfig/graphs\.pc$'
has '^/usr/lib/([^/]+/)?cmake/graphs/graphsConfig\.cmake$'
if [ -f "$build/man/graphs.1" ]; then # gzipped in the package (cmake/deb/gzip_man.cmake)
	has '^/usr/share/man/man1/graphs\.1\.gz$'
	has '^/usr/share/man/man1/graphs-estimate\.1\.gz$'
fi
has '^/usr/share/graphs/hardware/gpu/nvidia_t4\.yaml$'
has '^/usr/share/graphs/models/resnet50\.onnx$'
has '^/usr/share/graphs/calibration/'
outside=$(grep -vE '^/$|^/usr(/|$)' "$tmp/list" || true)
[ -z "$outside" ] || fail "files outside /usr: $(head -3 <<<"$outside")"

# extracted: its CLI reads its own data (a marker platform added there is listed) from /
R=$tmp/root
dpkg-deb -x "$deb" "$R"
libdir=$(dirname "$(find "$R/usr/lib" -name 'libgraphs.so.*.*' -type f | head -1)")
export LD_LIBRARY_PATH=$libdir
G=$R/usr/bin/graphs
# found by the system loader or relative to the file itself ($ORIGIN: the CLI's RUNPATH that keeps
# a moved install prefix working must land on the package's own library folder), never a build path
lib=$(basename "$(ls "$libdir"/libgraphs.so.*.* | head -1)")
for f in "$G" "$libdir"/libgraphs*.so.*.*; do
	rp=$(readelf -d "$f" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')
	[ -z "$rp" ] && continue
	case $rp in
	'$ORIGIN' | '$ORIGIN/'*) [ -e "$(dirname "$f")/${rp#\$ORIGIN}/$lib" ] ||
		fail "$f: RUNPATH $rp does not lead to the package's libgraphs" ;;
	*) fail "$f has an RPATH outside the package: $rp" ;;
	esac
done
hwdir=$R/usr/share/graphs/hardware/gpu
sed 's/^id: .*/id: zz_deb_marker/' "$hwdir/nvidia_t4.yaml" >"$hwdir/zz_deb_marker.yaml"
grep -q zz_deb_marker <<<"$(cd / && "$G" hw list)" || fail "the extracted CLI does not read $R/usr/share/graphs"
(cd / && "$G" estimate resnet50 --hw nvidia_t4 --format json) >"$tmp/deb.json" || fail "extracted graphs estimate"
(cd "$src" && "$cli" estimate resnet50 --hw nvidia_t4 --format json) >"$tmp/build.json"
# a program against the extracted headers and libgraphs.so (as pkg-config would give them)
extra=""
grep -q '^GRAPHS_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && extra="-fsanitize=address,undefined"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror $extra "$src/examples/estimate_platform.c" -I"$R/usr/include" -L"$libdir" -lgraphs \
	-o "$tmp/estimate_platform" || fail "examples/estimate_platform.c does not build against the package"
(cd / && "$tmp/estimate_platform" resnet50 nvidia_t4) >"$tmp/ex.json" || fail "estimate_platform against the package"
python3 - "$tmp" <<'PY' || fail "latencies differ"
import json, math, sys
tmp = sys.argv[1]
deb, bld = (json.load(open(f"{tmp}/{n}.json")) for n in ("deb", "build"))
ex = json.loads(open(f"{tmp}/ex.json").readline())
print(f"resnet50 on nvidia_t4: package CLI {deb['latency_ms']:.4f} ms ({deb['confidence']}), "
      f"build CLI {bld['latency_ms']:.4f} ms, program on the package's libgraphs {ex['latency_ms']:.4f} ms")
sys.exit(0 if all(math.isclose(x, bld["latency_ms"], rel_tol=1e-9)
                  for x in (deb["latency_ms"], ex["latency_ms"])) else 1)
PY

# lintian: reported, not judged (no changelog or copyright file yet, for one)
if command -v lintian >/dev/null; then
	rc=0
	timeout 90 lintian --no-tag-display-limit "$deb" >"$tmp/lintian.txt" 2>&1 || rc=$?
	[ $rc -ne 124 ] || echo "lintian: timed out after 90 s (a busy machine), not judged"
	echo "lintian: $(grep -c '^E:' "$tmp/lintian.txt" || true) errors, $(grep -c '^W:' "$tmp/lintian.txt" || true) warnings:" \
		"$(awk -F': ' '/^[EW]:/ {print $3}' "$tmp/lintian.txt" | awk '{print $1}' | sort | uniq -c | sort -rn |
			awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')"
fi
echo "deb: ok ($(basename "$deb"), $(du -k "$deb" | cut -f1) KiB, $(wc -l <"$tmp/list") entries, cpack ${build_s} s) in $SECONDS s"

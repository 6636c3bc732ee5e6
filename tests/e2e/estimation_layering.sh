#!/usr/bin/env bash
# Estimation must not depend on calibration (data flows one way: calibration fits and serializes
# the per-op time model, estimation applies it). Checks the built objects: no undefined symbol
# of an object of src/estimation may be defined by an object of src/calibration, nor look like a
# calibration name (calib_*, gr_calib*, gr_profile_*); and no estimation source may include a
# calibration header or the hardware module's private layout.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(cd "$(dirname "$cli")" && pwd)
# the library objects (compiled once for libgraphs.a and libgraphs.so: graphs_obj)
objs=$build/CMakeFiles/graphs_obj.dir/src
[ -d "$objs" ] || objs=$build/CMakeFiles/graphs_lib.dir/src

est=$(find "$objs/estimation" -name '*.o' 2>/dev/null | sort)
cal=$(find "$objs/calibration" -name '*.o' 2>/dev/null | sort)
[ -n "$est" ] || { echo "FAIL no estimation objects under $objs/estimation (build first)"; exit 1; }
[ -n "$cal" ] || { echo "FAIL no calibration objects under $objs/calibration (build first)"; exit 1; }
command -v nm >/dev/null || { echo "FAIL nm is not installed"; exit 1; }

# sanitizer and profiling hooks are undefined in every object: only names matter here
defined=$(nm --defined-only -g $cal | awk 'NF >= 3 { print $3 }' | sort -u)
[ -n "$defined" ] || fail "no symbols defined by the calibration objects (nm output changed?)"
for o in $est; do
	undef=$(nm -u "$o" | awk '{ print $NF }' | sort -u)
	both=$(comm -12 <(echo "$undef") <(echo "$defined"))
	[ -z "$both" ] || fail "$(basename "$o") uses calibration symbols: $(echo $both)"
	named=$(echo "$undef" | grep -E '^(calib_|gr_calib|gr_profile_)' || true)
	[ -z "$named" ] || fail "$(basename "$o") uses calibration-named symbols: $(echo $named)"
done
inc=$(grep -nE '#include +"(calibration/|hardware/hw_impl\.h)' src/estimation/*.[ch] || true)
[ -z "$inc" ] || fail "estimation includes private headers of other modules: $inc"

[ $fails = 0 ] || { echo "estimation layering: $fails failures"; exit 1; }
echo "ok ($(echo $est | wc -w) estimation objects, $(echo "$defined" | wc -l) calibration symbols checked)"

#!/usr/bin/env bash
# The `docs` target (cmake/docs.cmake): the HTML reference from docs/Doxyfile into OUT/html,
# then a second, output-less pass without EXTRACT_ALL (Doxygen warns about undocumented
# members only then) whose warnings are counted and the undocumented functions printed.
# Usage: doxygen.sh DOXYGEN SOURCE_DIR OUT VERSION
set -euo pipefail
doxygen=$1 src=$2 out=$3 version=$4
cd "$src"
rm -rf "$out/html"
mkdir -p "$out"
export GRAPHS_DOXYGEN_OUT=$out GRAPHS_VERSION=$version
"$doxygen" docs/Doxyfile
{ cat docs/Doxyfile; printf 'EXTRACT_ALL = NO\nGENERATE_HTML = NO\nWARN_LOGFILE = %s\n' \
	"$out/undocumented.log"; } | "$doxygen" - 2>/dev/null # stderr: only "no output formats"
funcs=$(grep -c '(function) of file' "$out/undocumented.log" || true)
others=$(grep 'is not documented' "$out/undocumented.log" | grep -vc '(function) of file' || true)
grep '(function) of file' "$out/undocumented.log" |
	sed -E 's/.*Member ([a-z0-9_]+)\(.* of file ([^ ]+) is not documented.*/  \2: \1/' | sort
echo "doxygen: $funcs public functions undocumented, $others other members (types, fields," \
	"enumerators, macros); list in $out/undocumented.log"
echo "doxygen: $(grep -c warning "$out/warnings.log" || true) warnings in $out/warnings.log;" \
	"reference: $out/html/index.html"

#!/usr/bin/env bash
# Writes OUTDIR/graphs.1 and OUTDIR/graphs-CMD.1 for every command that `graphs --help`
# lists, with help2man from each --help (reshaped by cmake/help2man.awk).
# Usage: man_pages.sh GRAPHS HELP2MAN OUTDIR   (run by the `man` target: cmake/man.cmake)
set -euo pipefail
graphs=$1 help2man=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
awk_file=$here/help2man.awk

version=$("$graphs" --version)       # "graphs X.Y.Z"
ver=${version##* }
# the commands table of `graphs --help`: "  NAME  description" lines after "commands:"
mapfile -t rows < <("$graphs" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
	on && /^  [a-z]/ { name = $1; sub(/^  [a-z][a-z0-9_-]*[ \t]+/, ""); print name "\t" $0 }')
if [ ${#rows[@]} -eq 0 ]; then
	echo "man_pages.sh: no commands found in '$graphs --help'" >&2
	exit 1
fi

rm -rf "$out/bin"
mkdir -p "$out/bin"
rm -f "$out"/*.1
abs_graphs=$(cd "$(dirname "$graphs")" && pwd)/$(basename "$graphs")

# help2man names the page after the program it runs: one wrapper per page
wrap() { # NAME ARGS...
	local name=$1; shift
	printf '#!/usr/bin/env bash\nset -o pipefail\n"%s" %s "$@" | awk -f "%s"\n' \
		"$abs_graphs" "$*" "$awk_file" >"$out/bin/$name"
	chmod +x "$out/bin/$name"
}

see_main=$out/bin/see_also_graphs.h2m
{
	echo "[SEE ALSO]"
	first=1
	for row in "${rows[@]}"; do
		cmd=${row%%$'\t'*}
		[ $first -eq 1 ] || echo ","
		printf '.BR graphs\\-%s (1)' "$cmd"
		first=0
	done
	echo
	echo ".PP"
	echo "The guides in docs/ of the source tree, one page per command."
} >"$see_main"
wrap graphs ""
"$help2man" -N -s 1 --source="graphs $ver" --manual="graphs manual" \
	-n "estimate latency, energy and memory of neural networks on hardware" \
	--include="$see_main" -o "$out/graphs.1" "$out/bin/graphs"

for row in "${rows[@]}"; do
	cmd=${row%%$'\t'*} desc=${row#*$'\t'}
	see=$out/bin/see_also_$cmd.h2m
	printf '[SEE ALSO]\n.BR graphs (1)\n.PP\ndocs/%s.md in the source tree.\n' "$cmd" >"$see"
	wrap "graphs-$cmd" "$cmd"
	if ! "$help2man" -N -s 1 --source="graphs $ver" --manual="graphs manual" \
		--version-string="graphs-$cmd $ver" -n "$desc" --include="$see" \
		-o "$out/graphs-$cmd.1" "$out/bin/graphs-$cmd"; then
		echo "man_pages.sh: help2man failed on 'graphs $cmd --help'" >&2
		exit 1
	fi
done
echo "man_pages.sh: ${#rows[@]} command pages and graphs.1 in $out" >&2

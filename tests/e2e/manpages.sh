#!/usr/bin/env bash
# Man pages and API reference (docs/install.md, "Manual pages"): cmake/man_pages.sh writes a page
# for every command `graphs --help` lists plus graphs.1; each renders with groff without
# warnings and carries its name, synopsis and every --option of its --help; `cmake --install`
# puts them under share/man/man1; the `docs` target's Doxygen reference lists the API
# (gr_estimate_run). Without help2man or doxygen that part is skipped, outside CI only.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(dirname "$cli")
src=$(pwd)
fail() { echo "manpages: $*" >&2; exit 1; }
ci=${CI:-}

mapfile -t cmds < <("$cli" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
	on && /^  [a-z]/ { print $1 }')
[ ${#cmds[@]} -ge 14 ] || fail "only ${#cmds[@]} commands found in 'graphs --help'"

opts() { grep -oE -- "$1" | tr -d ' ' | sort -u; } # the --options in stdin matching $1
# the page as plain text, one line per paragraph (no wrapping, hyphenation or overstrikes)
render() { LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=1000n -rHY=0 -P-cbou "$1"; }

if command -v help2man >/dev/null; then
	bash cmake/man_pages.sh "$cli" "$(command -v help2man)" "$tmp/man" 2>/dev/null
	for page in graphs "${cmds[@]/#/graphs-}"; do
		f=$tmp/man/$page.1
		[ -s "$f" ] || fail "no page $page.1 for a command 'graphs --help' lists"
		warn=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$f" 2>&1) || fail "$page.1: groff failed: $warn"
		[ -z "$warn" ] || fail "$page.1: groff warns: $warn"
		text=$(render "$f")
		for sect in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
			[[ $'\n'$text$'\n' == *$'\n'"$sect"$'\n'* ]] || fail "$page.1: no $sect section"
		done
		cmd=${page#graphs-}; [ "$page" = graphs ] && cmd=""
		help=$("$cli" $cmd --help)
		# the synopsis is the usage line; every option of --help is on the page
		syn=$(sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/p' <<<"$text")
		first=$(head -1 <<<"$help" | sed -E 's/^usage: +//; s/ +/ /g')
		grep -qF "$first" <<<"$(tr -s ' ' <<<"$syn")" || fail "$page.1: synopsis lacks '$first'"
		body=$(sed -n '/^DESCRIPTION$/,$p' <<<"$text")
		missing=$(comm -23 <(opts '--[a-z][a-z0-9-]*' <<<"$help") <(opts '--[a-z][a-z0-9-]*' <<<"$text"))
		[ -z "$missing" ] || fail "$page.1: options of --help missing: $missing"
		# each option --help describes (a line of its own) is described on the page too
		missing=$(comm -23 <(opts '^ {1,4}--[a-z][a-z0-9-]*' <<<"$help") \
			<(opts '^ +--[a-z][a-z0-9-]*' <<<"$body"))
		[ -z "$missing" ] || fail "$page.1: options not described: $missing"
	done
	# the command list of graphs.1 and its SEE ALSO name every command page
	main=$(render "$tmp/man/graphs.1")
	for c in "${cmds[@]}"; do grep -q "graphs-$c(1)" <<<"$main" || fail "graphs.1: no graphs-$c(1)"; done
	man -l "$tmp/man/graphs-estimate.1" 2>&1 | grep -q 'graphs-estimate - ' || fail "man -l graphs-estimate.1"
	echo "manpages: ${#cmds[@]} command pages and graphs.1 render and carry every option"
	# the build's pages are the ones installed
	if [ -f "$build/man/graphs.1" ] && [ -f "$build/cmake_install.cmake" ]; then
		cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
		for page in graphs "${cmds[@]/#/graphs-}"; do
			[ -f "$tmp/prefix/share/man/man1/$page.1" ] || fail "not installed: share/man/man1/$page.1"
		done
		MANPATH=$tmp/prefix/share/man man -w graphs-estimate >/dev/null || fail "man -w graphs-estimate"
		echo "manpages: installed under share/man/man1"
	fi
elif [ "$ci" = true ]; then
	fail "help2man missing in CI (tools/setup.sh installs it)"
else
	echo "manpages: skipped: no help2man"
fi

if command -v doxygen >/dev/null; then
	ver=$("$cli" --version); ver=${ver##* }
	out=$(bash cmake/doxygen.sh "$(command -v doxygen)" "$src" "$tmp/docs" "$ver")
	echo "$out" | tail -2
	html=$tmp/docs/html
	[ -s "$html/index.html" ] || fail "doxygen wrote no index.html"
	grep -q 'gr_estimate_run' "$html/globals_func.html" || fail "gr_estimate_run not in the function index"
	grep -q 'gr_estimate_run' "$html/estimate_8h.html" || fail "estimate.h page lacks gr_estimate_run"
	# the headers' plain comments became the documentation
	grep -q 'owns the result' "$html/estimate_8h.html" || fail "estimate.h's comments not in its page"
	grep -qE '^doxygen: [0-9]+ public functions undocumented' <<<"$out" || fail "no undocumented count"
elif [ "$ci" = true ]; then
	fail "doxygen missing in CI (tools/setup.sh installs it)"
else
	echo "manpages: doxygen part skipped: no doxygen"
fi

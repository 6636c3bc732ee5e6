#!/usr/bin/env bash
# The validation dashboard renders in a real browser: a dashboard made from a small
# ground-truth slice is opened in headless Chromium with name resolution disabled (so it
# proves the page needs no network), and the test asserts that every chart's vega-embed promise
# resolved (the page sets data-rendered = data-charts), that no chart failed (data-error), and
# that the SVG marks of the scatter points, the ±10% band, the bars and the summary table are in
# the rendered DOM. It takes a screenshot too (kept when DASHBOARD_SCREENSHOT=FILE is set).
# Skips (exit 0, "skipped: no chromium") only when Chromium is absent and cannot be installed.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
fx=tests/fixtures/validate

find_chromium() {
	for c in chromium chromium-browser google-chrome; do
		command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
	done
	return 1
}
browser=$(find_chromium)
if [ -z "$browser" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "dashboard_chromium: installing Debian's chromium" >&2
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >/dev/null 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >/dev/null 2>&1; }
	browser=$(find_chromium)
fi
if [ -z "$browser" ]; then
	echo "skipped: no chromium (install Debian's 'chromium' package)"
	exit 0
fi

fail=0
"$cli" validate --hw all --measurements $fx/models.csv $fx/subgraphs.csv --format html \
	--out "$tmp/dashboard.html" 2>"$tmp/gen.err" ||
	{ echo "FAIL graphs validate --format html: $(head -3 "$tmp/gen.err")"; exit 1; }

run_browser() { # extra args...
	timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-extensions --host-resolver-rules="MAP * ~NOTFOUND" \
		--user-data-dir="$tmp/profile" --virtual-time-budget=30000 "$@" \
		"file://$tmp/dashboard.html" 2>>"$tmp/browser.err"
}
run_browser --dump-dom >"$tmp/dom.html"
if [ ! -s "$tmp/dom.html" ]; then
	echo "FAIL chromium dumped no DOM: $(grep -v -i 'dbus\|fontconfig' "$tmp/browser.err" | tail -3)"
	exit 1
fi
body=$(grep -o '<body [^>]*data-charts=[^>]*>' "$tmp/dom.html" | head -1)
charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' <<<"$body")
rendered=$(sed -n 's/.*data-rendered="\([0-9]*\)".*/\1/p' <<<"$body")
if grep -q 'data-error=' <<<"$body"; then
	echo "FAIL a chart failed: $(sed -n 's/.*data-error="\([^"]*\)".*/\1/p' <<<"$body")"; fail=1
fi
# two per-platform summaries, two scatters, op-class and model bars for each split present
if [ -z "$charts" ] || [ "$charts" -lt 6 ]; then
	echo "FAIL page planned ${charts:-no} charts, want at least 6"; fail=1
fi
if [ "${rendered:-x}" != "${charts:-y}" ]; then
	echo "FAIL ${rendered:-no} of ${charts:-?} charts rendered"; fail=1
fi
count() { grep -o "$1" "$tmp/dom.html" | wc -l; }
svgs=$(count '<svg')
[ "$svgs" -ge "${charts:-1}" ] || { echo "FAIL $svgs SVG elements for ${charts:-?} charts"; fail=1; }
for mark in 'class="mark-symbol' 'class="mark-area' 'class="mark-rect' 'class="mark-rule'; do
	[ "$(count "$mark")" -ge 1 ] || { echo "FAIL no $mark in the rendered charts"; fail=1; }
done
# the scatters draw one symbol per pair with both values positive (log axes), whole models
# and subgraphs; the page counts them in data-points
pairs=$(( $(tail -n +2 $fx/models.csv | wc -l) + $(tail -n +2 $fx/subgraphs.csv | wc -l) ))
points=$(sed -n 's/.*data-points="\([0-9]*\)".*/\1/p' <<<"$body")
symbols=$(grep -o '<path[^>]*aria-roledescription="point"' "$tmp/dom.html" | wc -l)
if [ -z "$points" ] || [ "$points" -eq 0 ] || [ "$points" -gt "$pairs" ]; then
	echo "FAIL page plotted ${points:-no} points for $pairs measured pairs"; fail=1
elif [ "$symbols" -ne "$points" ]; then
	echo "FAIL $symbols scatter symbols in the DOM for $points points"; fail=1
fi
grep -q '<table class="summary"' "$tmp/dom.html" || { echo "FAIL no summary table"; fail=1; }
grep -q 'in-distribution\|unseen' "$tmp/dom.html" || { echo "FAIL summary does not name the splits"; fail=1; }

run_browser --hide-scrollbars --window-size=1400,3000 --screenshot="$tmp/shot.png" >/dev/null
if [ "$(head -c 8 "$tmp/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
	echo "FAIL no PNG screenshot"; fail=1
elif [ -n "${DASHBOARD_SCREENSHOT:-}" ]; then
	cp "$tmp/shot.png" "$DASHBOARD_SCREENSHOT"
fi

[ $fail -eq 0 ] && echo "ok: dashboard_chromium ($rendered charts, $symbols of $pairs pairs plotted, $svgs svg)"
exit $fail

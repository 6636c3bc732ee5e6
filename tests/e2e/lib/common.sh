# The start every end-to-end script shares (CMake runs tests/e2e/*.sh as tests; this one is
# sourced by them, never run). A script begins
#     set -u
#     . "$(dirname "$0")/lib/common.sh" "$@"
# and gets
#   cli          the CLI under test ($1, default build/graphs) as an absolute path, so the
#                script may cd
#   root         the checkout (tests/e2e/../..)
#   tmp          a scratch folder, removed on exit (kept when KEEP is set, to look into)
#   fails        failures so far; `fail MSG` counts one and prints "FAIL MSG"
#   check N E    evaluates the shell expression E: prints "ok   N" and counts it in passes,
#                or counts a failure
#   json E       prints the Python expression E of the JSON document on stdin (bound to d)
#   expect C W [--] CMD...  runs CMD (stdout to $tmp/out, stderr to $tmp/err) and counts a
#                failure W unless it exits with code C
#   e2e_isolate  a fresh HOME under $tmp, none of the caller's GRAPHS_* search paths, so that
#                a user's own profiles and platforms cannot change what the script sees
#   e2e_end N    prints "N: ok" or "N: K failed" and exits 1 on any failure
cli=${1:-build/graphs}
case "$cli" in /*) ;; *) cli="$PWD/$cli" ;; esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/graphs_e2e_$(basename "$0" .sh).XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fails=0 passes=0

fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if eval "$2"; then echo "ok   $1"; passes=$((passes + 1)); else fail "$1"; fi; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
expect() {
	local want=$1 what=$2 got
	shift 2
	[ "${1:-}" != -- ] || shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || fail "$what: exit $got, want $want; stderr: $(head -3 "$tmp/err")"
}

e2e_isolate() {
	export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config"
	unset GRAPHS_CALIBRATION_PATH GRAPHS_HARDWARE_PATH GRAPHS_LINKS_FILE
}

e2e_end() {
	if [ "$fails" -eq 0 ]; then
		echo "$1: ok"
		exit 0
	fi
	echo "$1: $fails failed"
	exit 1
}

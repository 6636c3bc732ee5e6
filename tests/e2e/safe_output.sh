#!/usr/bin/env bash
# Every command that writes a file the user named (validate --out, calibrate --out, hw detect
# --save) replaces only a regular, writable file: a FIFO, a symbolic link, a device, a folder or a
# read-only file is refused with exit 2 and a message naming it, and is left as it was; a write
# cut short by `ulimit -f` is exit 2 ("File too large"), and no temporary file is ever left.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
fx=$PWD/tests/fixtures/validate
e2e_isolate
n=0

# A folder holding one target of each kind. The device: a copy of /dev/null made with mknod,
# so that nothing under /dev is at risk; without the right to mknod (not root), /dev/null itself.
make_targets() { # dir
	local d=$1
	rm -rf "$d"; mkdir -p "$d"
	mkfifo "$d/fifo"
	echo "keep me" >"$d/linked"; ln -s linked "$d/link"
	ln -s nowhere "$d/dangling"
	mkdir "$d/folder"
	echo "read only" >"$d/ro"; chmod 444 "$d/ro"
	if mknod "$d/dev" c 1 3 2>/dev/null; then dev="$d/dev"
	elif [ "$(id -u)" -ne 0 ]; then dev=/dev/null
	else dev=""; echo "note: no device case (root without mknod)"; fi
}

# The folder's listing (kinds, sizes, link targets) and contents: a refused write changes none.
snapshot() { (cd "$1" && ls -lA --time-style=+ | sed 1d && cat linked ro) 2>&1; }

# check NAME TARGET_KIND_WORDS command... : exit 2, the target named, nothing changed or left.
check() {
	local what=$1 target=$2 words=$3; shift 3
	local before; before=$(snapshot "$dir")
	n=$((n + 1))
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
	[ $rc -eq 2 ] || fail "$what: exit $rc, want 2: $(head -2 "$tmp/err")"
	grep -qF "$(basename "$target")'" "$tmp/err" || fail "$what: message does not name the file: $(cat "$tmp/err")"
	grep -q "$words" "$tmp/err" || fail "$what: message lacks '$words': $(cat "$tmp/err")"
	# ls -l shows each entry's kind (p, l, d, c) and link target: a replaced target shows
	[ "$(snapshot "$dir")" = "$before" ] || fail "$what: the folder changed"
	[ "$dev" != /dev/null ] || [ -c /dev/null ] || fail "$what: /dev/null was replaced"
}

validate() { "$cli" validate --hw jetson_orin_agx_gpu:30w --measurements "$fx/models.csv" "$fx/subgraphs.csv" "$@"; }
calibrate() { "$cli" calibrate --hw jetson_orin_agx_gpu:30w --from "$fx/models.csv" "$@"; }

# --- validate --out and calibrate --out -------------------------------------------------------
dir=$tmp/t
make_targets "$dir"
for cmd in validate calibrate; do
	check "$cmd --out fifo" "$dir/fifo" "a FIFO" $cmd --out "$dir/fifo"
	check "$cmd --out link" "$dir/link" "symbolic link" $cmd --out "$dir/link"
	check "$cmd --out dangling link" "$dir/dangling" "symbolic link" $cmd --out "$dir/dangling"
	check "$cmd --out folder" "$dir/folder" "a folder" $cmd --out "$dir/folder"
	check "$cmd --out read-only" "$dir/ro" "read-only" $cmd --out "$dir/ro"
	[ -n "$dev" ] && check "$cmd --out device" "$dev" "character device" $cmd --out "$dev"
done
# past `ulimit -f` (in 1 KiB blocks): the write fails, the old file stays whole
# (a coverage build writes its counters past the limit at exit, and would die of SIGXFSZ there:
# it runs with SIGXFSZ ignored; the sanitizer build checks the default disposition)
xfsz=""
grep -q '^GRAPHS_COVERAGE:BOOL=ON' "$(dirname "$cli")/CMakeCache.txt" 2>/dev/null && xfsz="trap '' XFSZ;"
echo "old report" >"$dir/report.html"
check "validate --out past ulimit -f" "$dir/report.html" "File too large" \
	bash -c "$xfsz"' ulimit -f 8; "$@"' _ "$cli" validate --hw jetson_orin_agx_gpu:30w \
	--measurements "$fx/models.csv" "$fx/subgraphs.csv" --format html --out "$dir/report.html"
[ "$(cat "$dir/report.html")" = "old report" ] || fail "ulimit: the old report was replaced"

# the ordinary case still works: a new file, then replacing it (its permissions kept)
n=$((n + 1))
validate --format json --out "$dir/new.json" >/dev/null 2>&1 && [ -s "$dir/new.json" ] || fail "validate --out a new file"
chmod 640 "$dir/new.json"
validate --format csv --out "$dir/new.json" >/dev/null 2>&1 && head -1 "$dir/new.json" | grep -q '^level,' ||
	fail "validate --out replacing a file"
[ "$(stat -c %a "$dir/new.json")" = 640 ] || fail "replacing changed the permissions to $(stat -c %a "$dir/new.json")"

# --- hw detect --save: the user registry's host.yaml ------------------------------------------
dir=$XDG_CONFIG_HOME/graphs/hardware
make_targets "$dir"
for t in fifo link folder ro dev; do
	[ $t = dev ] && [ -z "$dev" ] && continue
	[ $t = dev ] && [ "$dev" = /dev/null ] && continue # host.yaml cannot be /dev/null itself
	case $t in fifo) words="a FIFO" ;; link) words="symbolic link" ;; folder) words="a folder" ;;
		ro) words="read-only" ;; dev) words="character device" ;; esac
	mv "$dir/$t" "$dir/host.yaml"
	check "hw detect --save over a $t" "$dir/host.yaml" "$words" "$cli" hw detect --save
	mv "$dir/host.yaml" "$dir/$t"
done
check "hw detect --save past ulimit -f" "$dir/host.yaml" "File too large" \
	bash -c "$xfsz"' ulimit -f 1; "$@"' _ "$cli" hw detect --save
[ -e "$dir/host.yaml" ] && fail "ulimit: a partial host.yaml was left"

# --- no temporary file survives SIGTERM or SIGINT at any moment of a run ----------------------
# (set -m: without job control, bash starts background commands with SIGINT ignored)
dir=$tmp/sig
rm -rf "$dir"; mkdir -p "$dir"
echo "old report" >"$dir/r.html"
set -m
for delay in 0.05 0.1 0.15 0.2 0.3 0.4 0.5 0.7; do
	for sig in TERM INT; do
		"$cli" validate --hw jetson_orin_agx_gpu:30w --measurements "$fx/models.csv" "$fx/subgraphs.csv" \
			--format html --out "$dir/r.html" >/dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -$sig $pid 2>/dev/null
		wait $pid 2>/dev/null
		# either the old report or a whole new one, and nothing else in the folder
		[ "$(ls -A "$dir")" = r.html ] || fail "SIG$sig after ${delay}s left: $(ls -A "$dir" | tr '\n' ' ')"
		grep -q "old report" "$dir/r.html" || tail -c 20 "$dir/r.html" | grep -q '</html>' ||
			fail "SIG$sig after ${delay}s: r.html is neither the old nor a whole report"
	done
done
set +m
n=$((n + 1))

echo "safe output: $n checks, $fails failures"
[ $fails -eq 0 ]

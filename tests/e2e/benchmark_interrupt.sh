#!/usr/bin/env bash
# Interrupting `graphs benchmark` midway must leave a valid database holding every finished
# record: SIGINT stops after the current measurement (exit 130, run marked 'interrupted'),
# SIGKILL keeps every committed record (run left 'running'), and the file opens again.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
py=python3
command -v "$py" >/dev/null || py=/usr/bin/python3
fail=0

count() { # records in db (0 while it does not exist yet)
	"$py" - "$1" <<'PY' 2>/dev/null || echo 0
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=10)
print(c.execute("select count(*) from measurements").fetchone()[0])
PY
}

check() { # db expected_status min_records
	"$py" - "$@" <<'PY'
import sqlite3, sys
db, status, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = sqlite3.connect(db)
ok = c.execute("pragma integrity_check").fetchone()[0]
n = c.execute("select count(*) from measurements").fetchone()[0]
bad = c.execute("select count(*) from measurements where supported = 1 and median_ms is null").fetchone()[0]
st = c.execute("select status from runs").fetchone()[0]
print("integrity=%s records=%d incomplete=%d status=%s" % (ok, n, bad, st))
sys.exit(0 if ok == "ok" and n >= least and bad == 0 and st == status else 1)
PY
}

wait_records() { # db n pid: wait until db holds n records (or the process ended)
	for _ in $(seq 1 300); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

total=$("$cli" benchmark --suite micro --list --quick | wc -l)

# SIGINT
"$cli" benchmark --suite micro --quick --db "$tmp/int.db" >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
if wait_records "$tmp/int.db" 3 $pid; then
	seen=$(count "$tmp/int.db")
	kill -INT $pid
	wait $pid; rc=$?
	kept=$(count "$tmp/int.db")
	if [ $rc -ne 130 ]; then echo "FAIL sigint: exit $rc, want 130"; fail=1; fi
	if [ "$kept" -lt "$seen" ] || [ "$kept" -ge "$total" ]; then
		echo "FAIL sigint: kept $kept records (saw $seen before the signal, suite has $total)"; fail=1
	fi
	grep -q "interrupted: kept $kept measurements" "$tmp/int.err" ||
		{ echo "FAIL sigint: stderr does not say what was kept: $(cat "$tmp/int.err")"; fail=1; }
	grep -q "(interrupted): $kept measurements" "$tmp/int.out" ||
		{ echo "FAIL sigint: stdout lacks the kept records"; fail=1; }
	check "$tmp/int.db" interrupted "$kept" || { echo "FAIL sigint: bad database"; fail=1; }
else
	echo "FAIL sigint: no records appeared"; kill -9 $pid 2>/dev/null; fail=1
fi

# SIGKILL
"$cli" benchmark --suite micro --quick --db "$tmp/kill.db" >/dev/null 2>&1 &
pid=$!
if wait_records "$tmp/kill.db" 3 $pid; then
	kill -KILL $pid
	wait $pid 2>/dev/null
	check "$tmp/kill.db" running 3 || { echo "FAIL sigkill: bad database"; fail=1; }
	"$cli" benchmark --db "$tmp/kill.db" --show >/dev/null ||
		{ echo "FAIL sigkill: database does not open again"; fail=1; }
	# a new run appends to the same file
	"$cli" benchmark --suite micro --quick --db "$tmp/kill.db" --filter 'latency_native_chase_16K' >/dev/null ||
		{ echo "FAIL sigkill: cannot append a run"; fail=1; }
else
	echo "FAIL sigkill: no records appeared"; kill -9 $pid 2>/dev/null; fail=1
fi

[ $fail -eq 0 ] && echo "benchmark interrupt: ok"
exit $fail

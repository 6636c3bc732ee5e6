#!/usr/bin/env bash
# The benchmark's guard against a minimum taken on a disturbed machine (src/cli/rounds.c), with
# a fake torch runner (GRAPHS_TORCH_RUNNER) whose figures and load per round come from a plan:
# a model whose rounds disagree gets extra rounds until a second quiet round confirms its
# minimum (other work beside it is harmless while the speed probe stays fast); one whose probe
# ran 2x slow in every round runs to the cap (twice the rounds)
# and is named in the end table and on stderr, by `benchmark` and by `calibrate`, which still
# reads it; a confirmed model gets no extra round; --rounds 1 adds none.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
e2e_isolate
py=/usr/bin/python3
cat >"$tmp/fake_runner.py" <<'PY'
import json, os, sys
plan = {  # model -> per round: quiet ms, CPUs other processes kept busy, speed probe ms
    "resnet18": [(10.0, 1.5, 0.1), (12.0, 0, 0.1), (11.0, 0, 0.1), (10.1, 1.2, 0.104),
                 (9.0, 0, 0.1)],
    "mobilenet_v2": [(5.0, 0, 0.1), (5.05, 0, 0.1), (6.0, 0, 0.1), (4.0, 0, 0.1)],
    "squeezenet1_1": [(3.0, 1.5, 0.2), (3.02, 1.4, 0.2), (3.01, 1.6, 0.2), (3.0, 1.5, 0.2),
                      (3.0, 1.5, 0.2), (3.0, 1.5, 0.2), (2.0, 0, 0.1)],
}
name = sys.argv[sys.argv.index("--models") + 1]
state = os.path.join(os.environ["FAKE_STATE"], name)
k = int(open(state).read()) if os.path.exists(state) else 0
open(state, "w").write(str(k + 1))
ms, others, probe = plan[name][k]
if os.environ.get("FAKE_SLOW") == "%s:%d" % (name, k):  # an extra round to interrupt
    open(os.path.join(os.environ["FAKE_STATE"], "slow"), "w").close()
    import time
    time.sleep(5)
load = {"wall_s": 1.0, "cpu_s": 1.0, "nivcsw": 0, "others_cpu": others, "steal_share": 0.0,
        "delay_share": 0.0, "probe_ms": probe}
base = {"model": name, "batch": 1, "precision": "fp32", "device": "cpu", "threads": 1,
        "input": [1, 3, 224, 224], "layers": 3, "disturb": load}
print(json.dumps({"type": "meta", "torch": "fake", "threads": 1, "device": "cpu"}))
print(json.dumps(dict(base, type="model", samples_ms=[ms * 1.1, ms * 1.2, ms * 1.15])))
print(json.dumps(dict(base, type="model", quiet=True, samples_ms=[ms], iters=3, hook_us=1.0)))
print(json.dumps({"type": "done"}))
PY
export GRAPHS_TORCH_RUNNER="$tmp/fake_runner.py" GRAPHS_PYTHON=$py FAKE_STATE="$tmp/state"
mkdir -p "$FAKE_STATE"
models=resnet18,mobilenet_v2,squeezenet1_1

expect 0 "benchmark with the guard" -- "$cli" benchmark --db "$tmp/g.db" --models $models --rounds 3
cp "$tmp/out" "$tmp/table.txt"
cp "$tmp/err" "$tmp/bench.err"
row() { awk -v m="$1" '$1 == m {print $2, $NF}' "$tmp/table.txt"; }
check "resnet18: rounds disagree, one extra round confirms 10.0 ms" '[ "$(row resnet18)" = "4 confirmed" ]'
check "mobilenet_v2: confirmed by round 2, no extra round" '[ "$(row mobilenet_v2)" = "3 confirmed" ]'
check "squeezenet1_1: disturbed in every round, runs to the cap of 6" \
	'[ "$(row squeezenet1_1)" = "6 disturbed" ]'
check "6 runs stored (3 rounds, 3 extra)" 'grep -q "^runs 1-6 (complete)" "$tmp/table.txt"'
check "the warning names the disturbed model only" \
	'grep -q "warning: minima not confirmed.*squeezenet1_1 disturbed (6 rounds.*probe up to +100%" "$tmp/bench.err" &&
	 ! grep -q "resnet18\|mobilenet_v2" "$tmp/bench.err"'
"$cli" benchmark --db "$tmp/g.db" --show --format json >"$tmp/show.json"
check "the load is kept in the records' params" \
	"$py -c 'import json,sys; d=json.load(open(sys.argv[1])); q=[m for m in d[\"measurements\"] if m[\"name\"]==\"squeezenet1_1\" and m[\"params\"][\"disturb\"][\"others_cpu\"]>1]; sys.exit(len(q)!=12)' $tmp/show.json"

# --format json: the same verdicts as "minima", the same warning
rm -f "$FAKE_STATE"/*
expect 0 "benchmark --format json" -- "$cli" benchmark --db "$tmp/j.db" --models $models --rounds 3 \
	--format json
check "json: minima per model" \
	"[ \"\$(json '[(m[\"model\"], m[\"rounds\"], m[\"minimum\"]) for m in d[\"minima\"]]' <$tmp/out)\" = \"[('resnet18', 4, 'confirmed'), ('mobilenet_v2', 3, 'confirmed'), ('squeezenet1_1', 6, 'disturbed')]\" ]"
check "json: the warning on stderr" 'grep -q "warning: minima not confirmed.*squeezenet1_1" "$tmp/err"'

# Ctrl-C during an extra round: exit 130, every finished round kept, the round interrupted
rm -f "$FAKE_STATE"/*
FAKE_SLOW=resnet18:3 "$cli" benchmark --db "$tmp/int.db" --models $models --rounds 3 \
	>"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 100); do [ -e "$FAKE_STATE/slow" ] && break; sleep 0.1; done
kill -INT $pid
wait $pid
check "Ctrl-C in an extra round exits 130" "[ $? = 130 ]"
check "the interrupted extra round is run 4, after 3 complete ones" \
	"[ \"\$($py -c 'import sqlite3,sys; print([r[0] for r in sqlite3.connect(sys.argv[1]).execute(\"select status from runs order by id\")])' $tmp/int.db)\" = \"['complete', 'complete', 'complete', 'interrupted']\" ]"

# calibrate reads the database as before and says the same (what it fits is its business)
"$cli" hw detect --save >/dev/null 2>&1 || fail "hw detect --save"
"$cli" calibrate --hw host --from "$tmp/g.db" --no-save --report --format json >"$tmp/cal.json" \
	2>"$tmp/cal.err"
check "calibrate warns about squeezenet1_1" \
	'grep -q "graphs calibrate: warning: minima not confirmed.* squeezenet1_1 disturbed" "$tmp/cal.err"'
if [ -s "$tmp/cal.json" ]; then
	check "calibrate --report lists it in unconfirmed_minima" \
		"[ \"\$(json '[m[\"model\"] for m in d[\"unconfirmed_minima\"]]' <$tmp/cal.json)\" = \"['squeezenet1_1']\" ]"
fi

# one round asked for: nothing to confirm, no extra round, no warning from benchmark
rm -f "$FAKE_STATE"/*
expect 0 "benchmark --rounds 1" -- "$cli" benchmark --db "$tmp/one.db" --models resnet18 --rounds 1
check "--rounds 1 runs once and warns of nothing" \
	'grep -q "^run 1 (complete)" "$tmp/out" && ! grep -q warning "$tmp/err"'
e2e_end "benchmark rounds guard"

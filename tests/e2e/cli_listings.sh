#!/usr/bin/env bash
# graphs ops and graphs zoo: every format lists the same entries (the table's count line, the
# JSON array, the CSV and Markdown rows agree), each zoo entry names a model file that exists,
# and a bad format, option or extra argument is a usage error (exit 1) naming the problem.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"

for cmd in ops zoo; do
	"$cli" $cmd --help | grep -q "usage: graphs $cmd" || fail "$cmd --help"
	for f in table json csv markdown; do
		"$cli" $cmd --format $f >"$tmp/$cmd.$f" 2>"$tmp/err" || fail "$cmd --format $f: $(head -1 "$tmp/err")"
	done
	# usage errors: exit 1, the message names what was wrong
	expect_usage() { # words args...
		local words=$1; shift
		"$cli" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
		[ $rc -eq 1 ] || fail "$* exit $rc, want 1"
		grep -q -- "$words" "$tmp/err" || fail "$*: no '$words' in: $(head -2 "$tmp/err")"
		[ -s "$tmp/out" ] && fail "$*: wrote to stdout"
	}
	expect_usage "unknown format 'xml'" $cmd --format xml
	expect_usage "unexpected argument 'extra'" $cmd extra
	expect_usage "bad option" $cmd --bogus
done

python3 - "$tmp" "$PWD/models" <<'PY' || fail "listings disagree"
import csv, json, os, re, sys
d, models = sys.argv[1], sys.argv[2]
def rows(cmd):
    j = json.load(open(f"{d}/{cmd}.json"))
    c = list(csv.reader(open(f"{d}/{cmd}.csv")))
    md = [l for l in open(f"{d}/{cmd}.markdown") if l.startswith("|")]
    return j, c, md
# ops: names in the same order everywhere; the table's count line is the JSON length
ops, c, md = rows("ops")
assert all(isinstance(o, str) and o for o in ops) and len(set(ops)) == len(ops), "ops: empty or repeated names"
assert c[0] == ["op"] and [r[0] for r in c[1:]] == ops, "ops: csv differs from json"
assert [l.strip("| \n") for l in md[2:]] == ops, "ops: markdown differs from json"
table = open(f"{d}/ops.table").read()
m = re.search(r"^(\d+) op types$", table, re.M)
assert m and int(m.group(1)) == len(ops), ("ops: count line", m and m.group(1), len(ops))
for core in ("Conv", "Gemm", "MatMul", "Softmax", "Resize", "LayerNormalization", "Loop"):
    assert core in ops, f"ops: {core} missing"
# zoo: every entry complete, its model file present, csv the same rows as json
zoo, c, md = rows("zoo")
assert len(zoo) >= 90, f"zoo: {len(zoo)} entries"
for e in zoo:
    assert all(e.get(k) for k in ("name", "family", "task", "input_shape")), e
    assert os.path.exists(f"{models}/{e['name']}.onnx"), f"zoo: no models/{e['name']}.onnx"
assert c[0] == ["name", "family", "task", "input"], c[0]
assert [r for r in c[1:]] == [[e["name"], e["family"], e["task"], e["input_shape"]] for e in zoo], "zoo: csv differs"
assert len(md) == len(zoo) + 2, "zoo: markdown rows"
assert "resnet50" in open(f"{d}/zoo.table").read(), "zoo: table lacks resnet50"
PY
e2e_end listings

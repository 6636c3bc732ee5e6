#!/usr/bin/env bash
# The big-graph path of profile: a 20k-node weightless chain (bench/gen_chain.py: MatMul by a
# shared 64x64 weight, then Add of a shared bias, 10k times) profiles with the exact node
# count, parameters, FLOPs and MACs, and its streamed JSON, table and csv agree on them; node
# names that need escaping at every place in an eight-byte word (the JSON writer scans words)
# come back from the JSON as they were.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
if ! /usr/bin/python3 -c "import onnx" 2>/dev/null; then
	echo "skipped: /usr/bin/python3 has no onnx (tools/setup.sh installs python3-onnx)"; exit 0
fi

/usr/bin/python3 bench/gen_chain.py 20000 "$tmp/chain.onnx"
"$cli" profile "$tmp/chain.onnx" --format json >"$tmp/p.json"
"$cli" profile "$tmp/chain.onnx" >"$tmp/p.txt"
"$cli" profile "$tmp/chain.onnx" --format csv >"$tmp/p.csv"

# 10k MatMuls of [1,64]x[64,64]: 2*64*64 FLOPs, 64*64 MACs each; 10k Adds of 64 elements
got=$(/usr/bin/python3 - "$tmp/p.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
nodes = d["nodes"]
print(d["node_count"], len(nodes), d["params"], d["flops"], d["macs"], d["coverage"],
      sum(n["flops"] for n in nodes) == d["flops"], sum(n["macs"] for n in nodes) == d["macs"],
      nodes[-1]["outputs"][0]["shape"] == [1, 64], d["outputs"][0]["name"])
PY
)
check "json: 20000 nodes, 4160 params, 82560000 FLOPs, 40960000 MACs, node sums = totals ($got)" \
	'[ "$got" = "20000 20000 4160 82560000 40960000 1 True True True a9999" ]'
check "table: one row per node and the same totals" \
	'[ "$(grep -c "^mm[0-9]* \|^add[0-9]* " "$tmp/p.txt")" = 20000 ] &&
	 grep -q "^chain.onnx: 20000 nodes, 4160 params, 82.6M FLOPs (41M MACs)" "$tmp/p.txt"'
check "csv: header and 20000 rows" '[ "$(wc -l <"$tmp/p.csv")" = 20001 ]'
# names with quotes, backslashes and control bytes before, at and after word boundaries
got=$(/usr/bin/python3 - "$tmp/esc.onnx" "$cli" <<'PY'
import json, subprocess, sys
import onnx
from onnx import TensorProto, helper
names = ["plain", 'a"b', "back\\slash", "tab\there", "nl\nx", "ctl\x01\x1fz", "\u00fctf8 \u00f1ame",
         "x" * 7 + '"', "x" * 8 + '"', "x" * 9 + "\\" + "y" * 20, '"' * 10, '\u00e9"' * 8, "end\x7f"]
nodes, prev = [], "x"
for i, nm in enumerate(names):
    nodes.append(helper.make_node("Relu", [prev], [f"t{i}"], name=nm))
    prev = f"t{i}"
g = helper.make_graph(nodes, "esc", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
                      [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 3])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.save(m, sys.argv[1])
out = subprocess.run([sys.argv[2], "profile", sys.argv[1], "--format", "json"], check=True,
                     capture_output=True).stdout
print([n["name"] for n in json.loads(out)["nodes"]] == names)
PY
)
check "json: node names needing escapes come back as they were ($got)" '[ "$got" = True ]'
[ $fails -eq 0 ]

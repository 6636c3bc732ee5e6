#!/usr/bin/env bash
# Incomplete results say so everywhere: a node whose shape stays unknown (an unbound dim, or a
# data-dependent shape as in detection heads) is not costed, so profile, estimate and compare mark
# their totals as lower bounds with the coverage, in tables and JSON. Models from
# tests/fixtures/models/make_cli_models.py.
set -uo pipefail  # no -e: every check runs and reports
. "$(dirname "$0")/lib/common.sh" "$@"
m=tests/fixtures/models
fields='d["lower_bound"], d["contains_unknown_ops"], d["unknown_shape_nodes"] > 0, 0 < d["coverage"] < 1'

# data_dependent: rows picked with NonZero feed two Linear layers of unknown shape
for model in data_dependent "sym_transformer"; do
	out=$("$cli" profile $m/$model.onnx --format json 2>/dev/null | json "$fields")
	check "profile $model json: lower_bound, unknown_shape_nodes, coverage ($out)" '[ "$out" = "True True True True" ]'
	out=$("$cli" estimate $m/$model.onnx --hw nvidia_l4 --format json 2>/dev/null | json "$fields")
	check "estimate $model json: contains_unknown_ops is true ($out)" '[ "$out" = "True True True True" ]'
	out=$("$cli" compare $m/$model.onnx --hw nvidia_l4,intel_core_i7_12700k --format json 2>/dev/null |
		python3 -c "import json,sys; print(all(r['lower_bound'] and r['contains_unknown_ops'] and r['coverage'] < 1 for r in json.load(sys.stdin)))")
	check "compare $model json: every row is a lower bound ($out)" '[ "$out" = True ]'
	txt=$("$cli" profile $m/$model.onnx 2>/dev/null)
	check "profile $model table: totals marked '>=' with '(lower bound: N% coverage)'" \
		'[[ "$txt" =~ \>=\ [0-9.]+[KMG]?\ FLOPs\ \(lower\ bound:\ [0-9.]+%\ coverage\) ]]'
	txt=$("$cli" estimate $m/$model.onnx --hw nvidia_l4 2>/dev/null)
	check "estimate $model table: latency marked '>=' and a lower-bound warning" \
		'[[ "$txt" == *"latency"*">= "*" ms"* && "$txt" == *"lower bound"* && "$txt" == *"coverage "* ]]'
	txt=$("$cli" compare $m/$model.onnx --hw nvidia_l4 2>/dev/null)
	check "compare $model table: '>=' latencies and the reason" '[[ "$txt" == *">= "* && "$txt" == *"lower bounds"* ]]'
done
txt=$("$cli" profile $m/sym_transformer.onnx 2>/dev/null)
check "profile table names the unbound dim, not only stderr" '[[ "$txt" == *"unbound: input '"'"'x'"'"' dim 1 ('"'"'seq'"'"')"* ]]'

# bound, the same model is complete: no marks
out=$("$cli" estimate $m/sym_transformer.onnx --dim seq=16 --hw nvidia_l4 --format json | json "$fields")
check "with seq bound nothing is left out ($out)" '[ "$out" = "False False False False" ]'
txt=$("$cli" estimate resnet18 --hw nvidia_l4)
check "a complete estimate has no '>=' and says coverage 100%" '[[ "$txt" != *">="* && "$txt" == *"coverage     100.0%"* ]]'
out=$("$cli" profile resnet18 --format json | json 'd["lower_bound"], d["coverage"], d["unknown_shape_nodes"]')
check "profile resnet18 json: complete ($out)" '[ "$out" = "False 1 0" ]'
# unknown ops count too
out=$("$cli" estimate $m/custom_op.onnx --hw nvidia_l4 --format json | json 'd["lower_bound"], d["contains_unknown_ops"]')
check "an unknown op makes a lower bound ($out)" '[ "$out" = "True True" ]'

echo "lower_bounds: $passes passed, $fails failed"
[ $fails -eq 0 ]

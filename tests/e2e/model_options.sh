#!/usr/bin/env bash
# The model options (--batch, --input-shape, --dim, --format-in) mean the same in profile, estimate
# and compare, bind what the user said, and the batch reported is the batch analysed. Models from
# tests/fixtures/models/make_cli_models.py (torch.onnx.export, fixed batch 1 or a symbolic one).
set -uo pipefail  # no -e: every check runs and reports
. "$(dirname "$0")/lib/common.sh" "$@"
m=tests/fixtures/models
# runs a command: its exit code in $rc, its stderr in $err
run() { err=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?; }

# --input-shape binds the symbolic batch it names; the default batch 1 must not override it
b1=$("$cli" profile $m/sym_batch_cnn.onnx --input-shape image=1x3x256x256 --format json | json 'd["flops"]')
out=$("$cli" profile $m/sym_batch_cnn.onnx --input-shape image=4x3x256x256 --format json |
	json 'd["batch"], d["outputs"][0]["shape"], d["flops"]')
check "--input-shape image=4x3x256x256 analyses batch 4 ($out)" '[ "$out" = "4 [4, 10] $((4 * b1))" ]'
t1=$("$cli" profile $m/sym_transformer.onnx --input-shape x=1x16x32 --format json | json 'd["macs"]')
out=$("$cli" profile $m/sym_transformer.onnx --input-shape x=2x16x32 --format json |
	json 'd["batch"], d["outputs"][0]["shape"], d["macs"] == 2 * '"$t1"', d["lower_bound"]')
check "transformer x=2x16x32 keeps batch 2 and twice the MACs ($out)" '[ "$out" = "2 [2, 16, 32] True False" ]'
out=$("$cli" profile $m/sym_batch_cnn.onnx --dim batch=3 --format json | json 'd["batch"], d["outputs"][0]["shape"]')
check "--dim batch=3 is the batch analysed ($out)" '[ "$out" = "3 [3, 10]" ]'
out=$("$cli" profile $m/sym_batch_cnn.onnx --batch 4 --input-shape image=4x3x256x256 --format json | json 'd["batch"]')
check "--batch that agrees with --input-shape is fine" '[ "$out" = 4 ]'

# TFLite: two inputs with their own dynamic length take different sizes (they were one symbol
# 'dynamic', bound twice: a conflict)
out=$("$cli" profile tests/fixtures/tflite/ops/dynamic_dims.tflite --input-shape x=2x3x8 \
	--input-shape z=2x5x8 --format json | json 'd["batch"], d["outputs"][0]["shape"]')
check "tflite dynamic dims of two inputs bind apart ($out)" '[ "$out" = "2 [2, 8, 8]" ]'

# a FIFO or a folder named as the model: refused and named (a FIFO must not hang the reader)
fifo=$(mktemp -u /tmp/graphs_model_fifo.XXXXXX) && mkfifo "$fifo"
run timeout 10 "$cli" profile "$fifo"
check "a FIFO model is refused ($rc: $err)" '[ $rc = 2 ] && [[ "$err" == *"$fifo"*"not a regular file"* ]]'
rm -f "$fifo"
run "$cli" profile tests/fixtures
check "a folder model is refused ($rc: $err)" '[ $rc = 2 ] && [[ "$err" == *"tests/fixtures"*"a folder"* ]]'

# contradictions and non-positive dims are usage errors, never silently batch 1
run "$cli" profile $m/sym_batch_cnn.onnx --batch 8 --input-shape image=4x3x256x256
check "--batch 8 with image=4x... is a usage error ($rc: $err)" '[ $rc = 1 ] && [[ "$err" == *"--batch 8 contradicts"* ]]'
run "$cli" profile $m/sym_transformer.onnx --input-shape x=2x16x32 --dim seq=8
check "a symbol bound to two sizes is a usage error ($rc)" '[ $rc = 1 ] && [[ "$err" == *"binds '"'"'seq'"'"'"* ]]'
for bad in "--input-shape image=0x3x224x224" "--input-shape image=-1x3x224x224" "--input-shape image=1x3x224x" \
	   "--dim batch=0" "--dim batch=-2" "--batch 0" "--batch -1" "--dim nosuchdim=4" \
	   "--input-shape image=1x3x224" "--input-shape nosuchinput=1x3x32x32"; do
	for cmd in "profile" "estimate --hw nvidia_l4" "compare --hw nvidia_l4"; do
		# shellcheck disable=SC2086
		run "$cli" $cmd $m/sym_batch_cnn.onnx $bad
		check "$cmd $bad: usage error ($rc)" '[ $rc = 1 ] && [ -n "$err" ]'
	done
done

# --batch on a file exported with a fixed batch rebinds it, says so, and the estimate is of batch 8
e1=$("$cli" estimate $m/fixed_batch_cnn.onnx --hw nvidia_l4 --format json | json 'd["batch"], d["flops"]')
check "fixed-batch file without --batch: batch 1" '[ "${e1%% *}" = 1 ]'
f1=${e1##* }
e8=$("$cli" estimate $m/fixed_batch_cnn.onnx --hw nvidia_l4 --batch 8 --format json 2>/tmp/graphs_e2e_note.$$ |
	json 'd["batch"], d["flops"], abs(d["throughput_per_s"] - 8e3 / d["latency_ms"]) < 1e-6 * d["throughput_per_s"]')
note=$(cat /tmp/graphs_e2e_note.$$; rm -f /tmp/graphs_e2e_note.$$)
check "fixed-batch --batch 8 analyses batch 8 ($e8 vs $f1 at batch 1)" '[ "$e8" = "8 $((8 * f1)) True" ]'
check "and says on stderr that it rebound the input" '[[ "$note" == *"fixed batch of 1"*"image"* ]]'
out=$("$cli" profile $m/fixed_batch_cnn.onnx --batch 8 --format json 2>/dev/null | json 'd["outputs"][0]["shape"]')
check "fixed-batch --batch 8 output is [8, 10]" '[ "$out" = "[8, 10]" ]'
run "$cli" estimate $m/fixed_batch_view.onnx --hw nvidia_l4 --batch 8
check "a batch baked into a Reshape is refused ($rc)" '[ $rc = 1 ] && [[ "$err" == *"dynamic batch axis"* ]]'
run "$cli" profile $m/fixed_two_inputs.onnx --batch 8
check "inputs with different fixed leading dims: --batch is refused as ambiguous ($rc)" \
	'[ $rc = 1 ] && [[ "$err" == *ambiguous* ]]'
run "$cli" profile $m/fixed_batch_cnn.onnx --batch 8 --input-shape image=2x3x32x32
check "fixed-batch --batch contradicting --input-shape is a usage error ($rc)" '[ $rc = 1 ]'
out=$("$cli" profile $m/fixed_batch_view.onnx --format json | json 'd["batch"], d["lower_bound"]')
check "fixed-batch file, no --batch: analysed as exported" '[ "$out" = "1 False" ]'

# every command that takes a model takes the same model options
for cmd in profile estimate compare; do
	h=$("$cli" $cmd --help)
	check "$cmd --help lists the model options" \
		'[[ "$h" == *"--batch N"* && "$h" == *"--input-shape"* && "$h" == *"--dim NAME=N"* && "$h" == *"--format-in"* ]]'
done
out=$("$cli" compare $m/sym_batch_cnn.onnx --hw nvidia_l4,intel_core_i7_12700k --input-shape image=2x3x32x32 \
	--format-in onnx --format json | json '[r["batch"] for r in d], [r["flops"] for r in d]')
f2=$("$cli" estimate $m/sym_batch_cnn.onnx --hw nvidia_l4 --input-shape image=2x3x32x32 --format json | json 'd["flops"]')
check "compare takes --input-shape and --format-in ($out)" '[ "$out" = "[2, 2] [$f2, $f2]" ]'

# counts are JSON integers, even past 1e15 where a double prints as an exponent
for cmd in "profile" "estimate --hw nvidia_l4" "compare --hw nvidia_l4"; do
	# shellcheck disable=SC2086
	ints=$("$cli" $cmd gpt2 --batch 1000000 --format json | python3 -c '
import json, sys
keys = {"flops", "macs", "bytes", "bytes_read", "bytes_written", "params", "peak_memory_bytes",
        "weight_bytes", "activation_bytes"}
bad, seen = [], 0
def walk(x, path):
    global seen
    if isinstance(x, dict):
        for k, v in x.items():
            if k in keys:
                seen += 1
                if type(v) is not int: bad.append(f"{path}{k}={v}")
            walk(v, path + k + ".")
    elif isinstance(x, list):
        for v in x: walk(v, path)
walk(json.load(sys.stdin), "")
print("ok" if seen and not bad else f"{seen} counts, not integers: {bad[:3]}")')
	check "$cmd --format json: counts are integers ($ints)" '[ "$ints" = ok ]'
done

echo "model_options: $passes passed, $fails failed"
[ $fails -eq 0 ]

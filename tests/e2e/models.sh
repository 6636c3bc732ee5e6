#!/usr/bin/env bash
# End-to-end behaviour on small models (tests/fixtures/models/make_models.py): NHWC inputs of
# TF-converted models with --batch, unknown ops reported and flagged (never free), dims bound
# with --dim, recurrent cost over every time step, and the JSON contract of profile.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
m=tests/fixtures/models

# 2 x 4x16x112x112 x 27 MACs + bias adds + relu = 44957696
out=$("$cli" profile $m/nhwc_conv.onnx --batch 4 --format json | json 'd["outputs"][0]["shape"], d["flops"]')
check "nhwc input with --batch 4 gives 4x112x112x16" '[[ "$out" == "[4, 112, 112, 16] 4495"* ]]'

cov=$("$cli" profile $m/custom_op.onnx --format json | json 'd["coverage"] < 1 and d["unknown_ops"] == ["FancyNorm"]')
check "unknown op is listed and lowers coverage" '[ "$cov" = True ]'
txt=$("$cli" profile $m/custom_op.onnx)
check "profile table names the unknown op" '[[ "$txt" == *"unknown ops (not counted): com.example.FancyNorm"* ]]'
flag=$("$cli" estimate $m/custom_op.onnx --hw nvidia_l4 --format json | json 'd["contains_unknown_ops"] and d["unknown_ops"] == 1')
check "estimate flags results containing unknown ops" '[ "$flag" = True ]'

f100=$("$cli" profile $m/lstm_seq.onnx --dim seq=100 --format json | json 'int(d["flops"])')
f50=$("$cli" profile $m/lstm_seq.onnx --dim seq=50 --format json | json 'int(d["flops"])')
# per step: 4 gates x (2*I*H + 2*H*H) with I=32, H=64 = 49152 matrix FLOPs, plus biases/gates
check "LSTM FLOPs scale with all 100 steps (got $f100 vs $f50 for 50)" '[ "$f100" -eq $((2 * f50)) ] && [ "$f100" -ge 4915200 ]'

b128=$("$cli" profile bert_base_uncased --format json | json 'int(d["flops"])')
b256=$("$cli" profile bert_base_uncased --dim seq=256 --format json | json 'int(d["flops"])')
check "--dim seq=256 doubles BERT's matmul work at least ($b128 -> $b256)" '[ "$b256" -gt $((2 * b128)) ]'

keys=$("$cli" profile resnet18 --format json | json 'all(k in d for k in ("params","flops","bytes","nodes","outputs")) and d["outputs"][0]["shape"] == [1, 1000] and d["params"] == 11689512')
check "profile json contract on resnet18" '[ "$keys" = True ]'

"$cli" profile resnet18 --batch 0 >/dev/null 2>&1 && rc=0 || rc=$?
check "--batch 0 is a usage error (exit 1)" '[ $rc -eq 1 ]'
"$cli" profile no_such_model >/dev/null 2>&1 && rc=0 || rc=$?
check "an unknown model name is bad input (exit 2)" '[ $rc -eq 2 ]'
"$cli" estimate resnet18 --hw no_such_platform >/dev/null 2>&1 && rc=0 || rc=$?
check "an unknown platform is a usage error (exit 1)" '[ $rc -eq 1 ]'

echo "models: $(( $(grep -c 'check "' "$0") - fails )) passed, $fails failed"
[ $fails -eq 0 ]

#!/usr/bin/env bash
# A short libFuzzer run of each harness in tests/fuzz with ASan+UBSan, seeded with the committed
# corpora: the ONNX, TFLite and FX readers (and the shape inference behind them), the calibration
# profile reader (seeded with the shipped profiles), the hardware registry's YAML reader (seeded
# with hardware/**.yaml) and the ground-truth CSV readers of calibration and the benchmark store.
# Longer campaigns: docs/frontends.md, docs/calibrate.md, docs/hardware.md.
# New inputs go to a temporary folder; the committed corpora and seed folders are only read.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
out=$(cd "$(dirname "$cli")" && pwd)/fuzz
secs=${GRAPHS_FUZZ_SECONDS:-20}
short=${GRAPHS_FUZZ_SHORT_SECONDS:-5} # the newer harnesses: a few seconds each
if ! command -v clang-14 >/dev/null; then echo "fuzz: skipped (no clang-14)"; exit 0; fi
mkdir -p "$out"
# target: source folders and files | libraries | seed folders | seconds | max input length
declare -A srcs=(
	[onnx]="src/core src/frontends" [tflite]="src/core src/frontends" [fx]="src/core src/frontends"
	[profile]="src/core src/transform src/estimation src/hardware src/calibration/profile.c src/calibration/profile_read.c"
	[hw_yaml]="src/core src/hardware"
	[meas_csv]="src/core src/hardware src/transform src/calibration/meas.c src/benchmarks/store.c")
declare -A libs=([onnx]="-lcjson -lm" [tflite]="-lcjson -lm" [fx]="-lcjson -lm"
	[profile]="-lyaml -lcjson -lhwloc -lm" [hw_yaml]="-lyaml -lcjson -lhwloc -lm"
	[meas_csv]="-lyaml -lcjson -lhwloc -lsqlite3 -lm")
declare -A seeds=([onnx]="tests/fuzz/corpus_onnx" [tflite]="tests/fuzz/corpus_tflite"
	[fx]="tests/fuzz/corpus_fx" [profile]="tests/fuzz/corpus_profile $(echo calibration/*/*/)"
	[hw_yaml]="hardware tests/fixtures/hw" [meas_csv]="tests/fuzz/corpus_meas_csv tests/fixtures/validate")
declare -A time=([onnx]=$secs [tflite]=$secs [fx]=$short [profile]=$short [hw_yaml]=$short [meas_csv]=$short)
declare -A maxlen=([profile]=65536)
targets="onnx tflite fx profile hw_yaml meas_csv"
n=0
for target in $targets; do
	bin=$out/fuzz_$target
	# shellcheck disable=SC2086
	src=$(find ${srcs[$target]} -name '*.c' | sort)
	# rebuild only when a source is newer than the binary
	# shellcheck disable=SC2086
	if [ ! -x "$bin" ] || [ -n "$(find ${srcs[$target]} include tests/fuzz/fuzz_$target.c -newer "$bin" -name '*.[ch]' | head -1)" ]; then
		# shellcheck disable=SC2086
		clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_DEFAULT_SOURCE \
			-Iinclude -Isrc $src tests/fuzz/fuzz_$target.c ${libs[$target]} -o "$bin"
	fi
	work=$(mktemp -d)
	dict=""
	[ -f tests/fuzz/$target.dict ] && dict="-dict=tests/fuzz/$target.dict"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="${time[$target]}" -max_len="${maxlen[$target]:-16384}" -timeout=10 \
		-rss_limit_mb=2048 $dict -artifact_prefix="$out/$target-" "$work" ${seeds[$target]} \
		2>"$out/$target.log" || {
		echo "FAIL fuzz_$target: see $out/$target.log"; tail -30 "$out/$target.log"; rm -rf "$work"; exit 1; }
	echo "fuzz_$target: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$target.log" || tail -1 "$out/$target.log")"
	grep -E "^#[0-9]+.*DONE" "$out/$target.log" | tail -1 || true
	rm -rf "$work"
	n=$((n + 1))
done
echo "fuzz: $n passed, 0 failed"

#!/usr/bin/env bash
# A short libFuzzer run of the ONNX, TFLite and FX JSON readers (and the shape inference behind them)
# with ASan+UBSan, seeded with the committed corpora. Longer campaigns: docs/frontends.md.
# New inputs go to a temporary folder; the committed corpora are only read.
set -euo pipefail
cli=${1:-build/graphs}
out=$(cd "$(dirname "$cli")" && pwd)/fuzz
secs=${GRAPHS_FUZZ_SECONDS:-20}
fx_secs=${GRAPHS_FUZZ_FX_SECONDS:-5} # the FX reader is newer to the short run: a few seconds
if ! command -v clang-14 >/dev/null; then echo "fuzz: skipped (no clang-14)"; exit 0; fi
mkdir -p "$out"
src=$(find src/core src/frontends -name '*.c' | sort)
for target in onnx tflite fx; do
	bin=$out/fuzz_$target
	# rebuild only when a source is newer than the binary
	if [ ! -x "$bin" ] || [ -n "$(find src/core src/frontends tests/fuzz/fuzz_$target.c -newer "$bin" -name '*.[ch]' | head -1)" ]; then
		clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_DEFAULT_SOURCE \
			-Iinclude -Isrc $src tests/fuzz/fuzz_$target.c -lcjson -lm -o "$bin"
	fi
	work=$(mktemp -d)
	dict=""
	[ -f tests/fuzz/$target.dict ] && dict="-dict=tests/fuzz/$target.dict"
	t=$secs
	[ "$target" = fx ] && t=$fx_secs
	"$bin" -max_total_time="$t" -max_len=16384 -timeout=10 -rss_limit_mb=2048 $dict \
		-artifact_prefix="$out/$target-" "$work" tests/fuzz/corpus_$target 2>"$out/$target.log" || {
		echo "FAIL fuzz_$target: see $out/$target.log"; tail -30 "$out/$target.log"; rm -rf "$work"; exit 1; }
	echo "fuzz_$target: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$target.log" || tail -1 "$out/$target.log")"
	grep -E "^#[0-9]+.*DONE" "$out/$target.log" | tail -1 || true
	rm -rf "$work"
done
echo "fuzz: 3 passed, 0 failed"

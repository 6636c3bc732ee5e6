#!/usr/bin/env bash
# A short libFuzzer run of the ONNX and TFLite readers (and the shape inference behind them) and
# of the calibration profile reader, with ASan+UBSan, seeded with the committed corpora (and the
# shipped profiles under calibration/). Longer campaigns: docs/frontends.md.
# New inputs go to a temporary folder; the committed corpora are only read.
set -euo pipefail
cli=${1:-build/graphs}
out=$(cd "$(dirname "$cli")" && pwd)/fuzz
secs=${GRAPHS_FUZZ_SECONDS:-20}
if ! command -v clang-14 >/dev/null; then echo "fuzz: skipped (no clang-14)"; exit 0; fi
mkdir -p "$out"
front=$(find src/core src/frontends -name '*.c' | sort)
# the profile reader needs core, transform, the estimator's op classes and hw_common's precisions
prof=$(find src/core src/transform src/estimation -name '*.c' | sort)
prof="$prof src/hardware/hw_common.c src/calibration/profile.c src/calibration/profile_read.c"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
i=0
for f in calibration/*/*/*.json; do i=$((i + 1)); cp "$f" "$seeds/shipped_$i.json"; done
n=0
for target in onnx tflite profile; do
	bin=$out/fuzz_$target
	case $target in
	profile) src=$prof; dirs="src/core src/transform src/estimation src/hardware src/calibration include"
		t=${GRAPHS_FUZZ_PROFILE_SECONDS:-5}; corpora="tests/fuzz/corpus_profile $seeds"; max=65536 ;;
	*) src=$front; dirs="src/core src/frontends"; t=$secs; corpora=tests/fuzz/corpus_$target; max=16384 ;;
	esac
	# rebuild only when a source is newer than the binary
	if [ ! -x "$bin" ] || [ -n "$(find $dirs tests/fuzz/fuzz_$target.c -newer "$bin" -name '*.[ch]' | head -1)" ]; then
		clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_DEFAULT_SOURCE \
			-Iinclude -Isrc $src tests/fuzz/fuzz_$target.c -lcjson -lm -o "$bin"
	fi
	work=$(mktemp -d)
	"$bin" -max_total_time="$t" -max_len=$max -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/$target-" "$work" $corpora 2>"$out/$target.log" || {
		echo "FAIL fuzz_$target: see $out/$target.log"; tail -30 "$out/$target.log"; rm -rf "$work"; exit 1; }
	echo "fuzz_$target: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$target.log" || tail -1 "$out/$target.log")"
	grep -E "^#[0-9]+.*DONE" "$out/$target.log" | tail -1 || true
	rm -rf "$work"
	n=$((n + 1))
done
echo "fuzz: $n passed, 0 failed"

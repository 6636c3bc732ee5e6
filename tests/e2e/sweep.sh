#!/usr/bin/env bash
# graphs sweep and merge: the grid's fixed order and point index, statuses of impossible points,
# a point equal to 'graphs estimate', shards run under GNU parallel and merged back into exactly
# the bytes of the unsharded run (csv and json), merge refusing bad shard sets, bad arguments
# exiting 2, and the html page rendering in headless Chromium when it is installed.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
cd "$tmp" || exit 1
fail=0
err() { echo "FAIL $*"; fail=1; }

models=resnet18,mobilenet_v2,bert_base_uncased
hw=nvidia_t4,hailo8,intel_core_i7_12700k,jetson_orin_agx_gpu:15w
grid=("$models" --hw "$hw" --batch 1,8)

# --- the unsharded run: order, index, statuses -------------------------------------------------
"$cli" sweep "${grid[@]}" --format csv --out whole.csv || err "unsharded csv run exited $?"
"$cli" sweep "${grid[@]}" --format json --out whole.json || err "unsharded json run exited $?"
rows=$(($(wc -l <whole.csv) - 1))
points=$(sed -n 2p whole.csv | cut -d, -f2)
[ "$rows" -gt 0 ] && [ "$rows" = "$points" ] || err "csv has $rows rows for $points points"
awk -F, 'NR > 1 && $1 != NR - 2 { bad = 1 } END { exit bad }' whole.csv || err "point column is not 0..n-1 in order"
# model, then batch, then platform, then precision: the first rows are resnet18 at batch 1 on the T4
# in its native precisions fp64, fp32, fp16, int8, int4 (registry precision order)
got=$(awk -F, 'NR >= 2 && NR <= 6 { printf "%s/%s/%s/%s ", $4, $7, $5, $6 }' whole.csv)
want="resnet18/1/nvidia_t4/fp64 resnet18/1/nvidia_t4/fp32 resnet18/1/nvidia_t4/fp16 resnet18/1/nvidia_t4/int8 resnet18/1/nvidia_t4/int4 "
[ "$got" = "$want" ] || err "order: got '$got', want '$want'"
# hailo8 runs int8 only: one native point per model and batch
[ "$(grep -c ',hailo8,' whole.csv)" = 6 ] || err "hailo8 should have 6 native points (3 models x 2 batches)"
# the last row: the last model, the last batch, the last platform
tail -1 whole.csv | grep -q ',bert_base_uncased,jetson_orin_agx_gpu:15w,[a-z0-9]*,8,' || err "last row: $(tail -1 whole.csv)"
# every figure of an ok row is the estimate's, to the 6 digits printed
est=$("$cli" estimate mobilenet_v2 --hw jetson_orin_agx_gpu:15w --precision fp16 --batch 8 --format json |
	python3 -c 'import json,sys; e=json.load(sys.stdin); print("%.6g %.6g %.6g %.0f %s" % (e["latency_ms"], e["throughput_per_s"], e["energy_mj"], e["peak_memory_bytes"], e["confidence"]))')
row=$(awk -F, '$4 == "mobilenet_v2" && $5 == "jetson_orin_agx_gpu:15w" && $6 == "fp16" && $7 == 8 { print $10, $11, $12, $13, $14 }' whole.csv)
[ -n "$row" ] && [ "$row" = "$est" ] || err "sweep row '$row' differs from graphs estimate '$est'"
# an impossible point: listed precision the platform cannot run -> a row, status unsupported
"$cli" sweep resnet18 --hw hailo8,nvidia_t4 --precision fp16 --format csv >unsup.csv || err "unsupported point: exit $?"
grep -q "^0,2,[0-9a-f]*,resnet18,hailo8,fp16,1,hailo_dfc,unsupported,,,,,,,'hailo8' cannot run fp16" unsup.csv ||
	err "hailo8 fp16 should be unsupported with the reason: $(sed -n 2p unsup.csv)"
grep -q '^1,2,.*,nvidia_t4,fp16,1,pytorch,ok,' unsup.csv || err "nvidia_t4 fp16 should be ok"
# a model that does not load: failed rows, exit 0
printf 'not a model' >broken.onnx
"$cli" sweep broken.onnx,resnet18 --hw nvidia_t4 --precision fp32 --format csv >broken.csv 2>broken.err ||
	err "a broken model file should give failed rows, exit 0 (got $?)"
grep -q '^0,2,.*,broken.onnx,nvidia_t4,fp32,1,pytorch,failed,' broken.csv || err "broken model row: $(sed -n 2p broken.csv)"
grep -q '^1,2,.*,resnet18,nvidia_t4,fp32,1,pytorch,ok,' broken.csv || err "the model after a broken one still runs"

# threads change nothing: one and three workers give the bytes of the default
for j in 1 3; do
	"$cli" sweep "${grid[@]}" --format csv --jobs $j | cmp -s - whole.csv || err "--jobs $j output differs"
done

# --- shards under GNU parallel, merged back -----------------------------------------------------
run_shards() { # fmt n
	if command -v parallel >/dev/null 2>&1; then
		parallel --halt now,fail=1 "$cli" sweep "${grid[@]}" --shard {}/"$2" --format "$1" \
			--out "part{}.$1" ::: $(seq 0 $(($2 - 1)))
	else
		echo "note: GNU parallel missing (tools/setup.sh installs it); shards run as background jobs"
		for i in $(seq 0 $(($2 - 1))); do
			"$cli" sweep "${grid[@]}" --shard "$i/$2" --format "$1" --out "part$i.$1" & done
		wait
	fi
}
for fmt in csv json; do
	rm -f part*
	run_shards $fmt 5 || err "$fmt shards failed"
	"$cli" merge $(ls part*.$fmt | sort -r) --out merged.$fmt || err "merge of $fmt shards exited $?"
	cmp -s merged.$fmt whole.$fmt || err "merged $fmt shards differ from the unsharded run"
	# each shard holds every 5th point
	first=$(sed -n 2p part3.$fmt | grep -o '^[{"point: ]*[0-9]*' | grep -o '[0-9]*$')
	[ "$first" = 3 ] || err "shard 3/5 ($fmt) should start at point 3, starts at '$first'"
done
python3 -c 'import json,sys; d=json.load(open("whole.json")); assert len(d["rows"]) == d["points"]' ||
	err "whole.json is not valid JSON with one row per point"
# more shards than points per block, and merge to stdout
rm -f part*
for i in 0 1 2 3 4 5 6; do "$cli" sweep resnet18 --hw hailo8 --batch 1,2 --shard $i/7 --format csv --out p$i.csv; done
"$cli" sweep resnet18 --hw hailo8 --batch 1,2 --format csv >small.csv
"$cli" merge p*.csv | cmp -s - small.csv || err "7 shards of a 2-point grid (5 empty) do not merge to the unsharded run"

# --- merge refuses bad shard sets (exit 2, nothing written) -------------------------------------
rm -f part*
run_shards csv 3 >/dev/null
expect_merge_2() { # what args...
	local what=$1; shift
	"$cli" merge "$@" --out bad.out >/dev/null 2>merge.err; local rc=$?
	[ $rc = 2 ] || err "merge with $what: exit $rc, want 2"
	[ -e bad.out ] && err "merge with $what wrote its output"
	grep -q 'graphs: error: merge:' merge.err || err "merge with $what gave no message"
	rm -f bad.out
}
expect_merge_2 "a shard missing" part0.csv part1.csv
expect_merge_2 "a shard twice" part0.csv part1.csv part2.csv part1.csv
"$cli" sweep "$models" --hw "$hw" --batch 1,16 --shard 2/3 --format csv --out other2.csv
expect_merge_2 "a shard of another grid" part0.csv part1.csv other2.csv
head -c -5 part2.csv >cut2.csv
expect_merge_2 "a shard cut short" part0.csv part1.csv cut2.csv
"$cli" sweep "${grid[@]}" --shard 2/3 --format json --out part2.json
expect_merge_2 "csv and json mixed" part0.csv part1.csv part2.json
head -n -1 part2.json >cut2.json
"$cli" sweep "${grid[@]}" --shard 0/3 --format json --out part0.json
"$cli" sweep "${grid[@]}" --shard 1/3 --format json --out part1.json
expect_merge_2 "a json shard without its end" part0.json part1.json cut2.json
expect_merge_2 "a file that is no shard" part0.csv part1.csv broken.onnx
expect_merge_2 "a missing file" part0.csv part1.csv nonexistent.csv
"$cli" merge >/dev/null 2>&1; [ $? = 2 ] || err "merge without files should exit 2"

# --- bad arguments: exit 2 with a message -------------------------------------------------------
expect_2() { # what args...
	local what=$1; shift
	"$cli" sweep "$@" >/dev/null 2>arg.err; local rc=$?
	[ $rc = 2 ] || err "sweep with $what: exit $rc, want 2"
	grep -q '^graphs' arg.err || err "sweep with $what gave no message"
}
expect_2 "no --hw" resnet18
expect_2 "no MODELS" --hw nvidia_t4
expect_2 "an unknown model" resnet18,no_such_model --hw nvidia_t4
expect_2 "an unknown platform" resnet18 --hw nvidia_t4,no_such_gpu
expect_2 "an unknown mode" resnet18 --hw jetson_orin_agx_gpu:1w
expect_2 "an unknown precision" resnet18 --hw nvidia_t4 --precision fp16,fp7
expect_2 "native among precisions" resnet18 --hw nvidia_t4 --precision native,fp16
expect_2 "batch 0" resnet18 --hw nvidia_t4 --batch 1,0
expect_2 "an empty batch item" resnet18 --hw nvidia_t4 --batch 1,,2
expect_2 "a batch twice" resnet18 --hw nvidia_t4 --batch 8,8
expect_2 "a platform twice" resnet18 --hw nvidia_t4,nvidia_t4
expect_2 "an unknown runtime" resnet18 --hw nvidia_t4 --runtime nosuchrt
expect_2 "shard I = N" resnet18 --hw nvidia_t4 --shard 4/4
expect_2 "shard 1/0" resnet18 --hw nvidia_t4 --shard 1/0
expect_2 "shard x" resnet18 --hw nvidia_t4 --shard x
expect_2 "shard -1/4" resnet18 --hw nvidia_t4 --shard -1/4
expect_2 "an unknown format" resnet18 --hw nvidia_t4 --format yaml
expect_2 "an unknown option" resnet18 --hw nvidia_t4 --bogus
expect_2 "two MODELS arguments" resnet18 mobilenet_v2 --hw nvidia_t4
expect_2 "--jobs 0" resnet18 --hw nvidia_t4 --jobs 0
"$cli" sweep --help | grep -q -- '--shard I/N' || err "sweep --help lacks --shard"
"$cli" merge --help | grep -q 'FILES' || err "merge --help lacks FILES"

# --- html in headless Chromium ------------------------------------------------------------------
"$cli" sweep "${grid[@]}" --format html --out sweep.html || err "html run exited $?"
grep -q 'vegaEmbed' sweep.html && ! grep -q '@GRAPHS_' sweep.html || err "html page lacks Vega or kept a marker"
browser=
for c in chromium chromium-browser google-chrome; do command -v $c >/dev/null 2>&1 && { browser=$c; break; }; done
if [ -z "$browser" ]; then
	echo "skipped: html in chromium (no chromium; tools/setup.sh installs it)"
else
	timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --disable-extensions \
		--host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$tmp/profile" \
		--virtual-time-budget=30000 --dump-dom "file://$tmp/sweep.html" >dom.html 2>browser.err
	body=$(grep -o '<body [^>]*>' dom.html | head -1)
	charts=$(sed -n 's/.*data-charts="\([0-9]*\)".*/\1/p' <<<"$body")
	rendered=$(sed -n 's/.*data-rendered="\([0-9]*\)".*/\1/p' <<<"$body")
	pareto=$(sed -n 's/.*data-pareto="\([0-9]*\)".*/\1/p' <<<"$body")
	grep -q 'data-error=' <<<"$body" && err "a chart failed: $body"
	[ "${charts:-0}" = 4 ] && [ "$rendered" = 4 ] || err "html: ${charts:-no} charts planned, ${rendered:-none} rendered, want 4"
	[ "${pareto:-0}" -ge 1 ] || err "html: no Pareto point marked"
	marks=$(grep -o 'role-mark' dom.html | wc -l)
	[ "$marks" -ge 8 ] || err "html: only $marks mark groups in the rendered SVG"
fi

[ $fail = 0 ] && echo "sweep: ok"
exit $fail

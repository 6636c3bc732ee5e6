#!/usr/bin/env bash
# A measured row is scored at the input shape it states (input_shape column): validate predicts
# efficientnet_b4 at 380x380 with the 380 graph, as `graphs estimate --input-shape` does, and
# bert at sequence 384 with the 384 graph; a row whose graph cannot take its shape (vit_b_32's
# position table fixes 224) is counted as failed with the reason, never scored at another shape.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
hdr=hardware,registry_id,mode,runtime,precision,model,zoo_model,mapping,batch,input_shape,metric,value,power_w,source
{
	echo "$hdr"
	echo "T4,nvidia_t4,,tensorrt,fp16,EfficientNet-B4,efficientnet_b4,torchvision_exact,1,1x3x224x224,latency_ms,2.0,,test"
	echo "T4,nvidia_t4,,tensorrt,fp16,EfficientNet-B4,efficientnet_b4,torchvision_exact,1,1x3x380x380,latency_ms,5.0,,test"
	echo "T4,nvidia_t4,,tensorrt,fp16,BERT-Base,bert_base_uncased,torchvision_exact,1,1x384,latency_ms,3.0,,test"
} >"$tmp/ok.csv"
"$cli" validate --measurements "$tmp/ok.csv" --hw nvidia_t4 --runtime tensorrt --format json --out "$tmp/v.json" 2>"$tmp/err" ||
	{ fail "validate exited $?"; cat "$tmp/err"; }
for s in 224 380; do
	"$cli" estimate efficientnet_b4 --hw nvidia_t4 --runtime tensorrt --precision fp16 \
		--input-shape input=1x3x${s}x$s --format json >"$tmp/e$s.json" 2>/dev/null || fail "estimate at $s"
done
"$cli" estimate bert_base_uncased --hw nvidia_t4 --runtime tensorrt --precision fp16 \
	--input-shape input_ids=1x384 --format json >"$tmp/b384.json" 2>/dev/null || fail "estimate bert 384"
python3 - "$tmp/v.json" "$tmp/e224.json" "$tmp/e380.json" "$tmp/b384.json" <<'PY' || fail "predictions at the rows' shapes"
import json, sys
v, e224, e380, b384 = (json.load(open(p)) for p in sys.argv[1:5])
pts = {(p["model"], round(p["measured_ms"], 3)): p["predicted_ms"] for p in v["points"]}
got224, got380 = pts[("efficientnet_b4", 2.0)], pts[("efficientnet_b4", 5.0)]
gotb = pts[("bert_base_uncased", 3.0)]
for got, want, what in ((got224, e224, "224"), (got380, e380, "380"), (gotb, b384, "bert 384")):
    w = want["latency_ms"]
    assert abs(got - w) <= 1e-3 * w, (what, got, w)
assert got380 > got224, (got224, got380)
assert e380["flops"] > 2.5 * e224["flops"], (e224["flops"], e380["flops"])  # (380/224)^2 = 2.9x
print("efficientnet_b4 224: %.3f ms, 380: %.3f ms; bert 384: %.3f ms" % (got224, got380, gotb))
PY
{
	echo "$hdr"
	echo "T4,nvidia_t4,,tensorrt,fp16,ViT-B/32,vit_b_32,torchvision_exact,1,1x3x384x384,latency_ms,2.0,,test"
	echo "T4,nvidia_t4,,tensorrt,fp16,ResNet-50,resnet50,torchvision_exact,1,1x3x224x224,latency_ms,1.0,,test"
} >"$tmp/vit.csv"
"$cli" validate --measurements "$tmp/vit.csv" --hw nvidia_t4 --runtime tensorrt --format json --out "$tmp/w.json" 2>"$tmp/werr"
python3 - "$tmp/w.json" <<'PY' || { fail "vit at 384"; cat "$tmp/werr"; }
import json, sys
v = json.load(open(sys.argv[1]))
models = [p["model"] for p in v["points"]]
assert models == ["resnet50"], models
assert any("1 rows not predicted" in n and "vit_b_32 cannot take input shape 1x3x384x384" in n
           for n in v["notes"]), v["notes"]
PY
e2e_end validate_input_shape

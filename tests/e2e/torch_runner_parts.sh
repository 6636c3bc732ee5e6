#!/usr/bin/env bash
# tools/torch_runner.py's per-layer pass on a tiny attention model: a module timed whole whose
# functional calls run in Python has its products and softmax timed apart, one record each
# named "module/OnnxOp/output elements/k", and its own record keeps the rest (hooked submodules
# inside it are not timed on their own). nn.MultiheadAttention, whose fused fast path a
# torch-function mode would turn off, has the same parts timed on their own at its shapes, and
# its record keeps the rest. Skipped without torch.
set -u
torchpy=${GRAPHS_PYTHON:-/usr/bin/python3}
if ! "$torchpy" -c 'import torch, torchvision' 2>/dev/null; then
	echo "torch runner parts: skip: $torchpy has no torch/torchvision"
	exit 0
fi
cd "$(dirname "$0")/../.." || exit 1
exec "$torchpy" - <<'PY'
import io, json, sys, types
sys.path.insert(0, "tools")
import torch, torchvision
import torch_runner as tr

class TinyAttention(torch.nn.Module):
    def __init__(self, dim=16, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.proj = torch.nn.Linear(dim, dim)
    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, c))

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Conv2d(3, 16, 4, 4)
        self.attn = TinyAttention()
        self.mha = torch.nn.MultiheadAttention(16, 2, batch_first=True)
        self.head = torch.nn.Linear(16, 10)
    def forward(self, x):
        t = self.embed(x).flatten(2).transpose(1, 2)
        t = t + self.attn(t)
        t = t + self.mha(t, t, t, need_weights=False)[0]
        return self.head(t.mean(1))

out = io.StringIO()
tr.emit = lambda o: out.write(json.dumps(o) + "\n")
args = types.SimpleNamespace(warmup=1, min_iters=3, max_iters=3, budget_s=1.0, rel_ci=0.02, per_layer=True)
tr.run_model(torch, torchvision, args, "tiny", 1, "fp32", torch.device("cpu"), model=Tiny().eval(), size=32)
recs = [json.loads(l) for l in out.getvalue().splitlines()]
layers = {r["name"]: r for r in recs if r["type"] == "layer"}
fail = 0
def check(ok, what):
    global fail
    if not ok:
        print("FAIL", what)
        fail = 1
# 64 tokens of 16 channels, 2 heads of 8; five per-layer iterations (the pass runs at least 5)
want = {"attn/MatMul/3072/0": "linear", "attn/MatMul/8192/0": "matmul", "attn/Softmax/8192/0": "softmax",
        "attn/MatMul/1024/0": "matmul", "attn/MatMul/1024/1": "linear",
        "mha/MatMul/3072/0": "linear", "mha/MatMul/8192/0": "matmul", "mha/Softmax/8192/0": "softmax",
        "mha/MatMul/1024/0": "matmul", "mha/Gemm/1024/0": "linear"}
parts = {r["nodes"]: r for r in layers.values() if "/" in r.get("nodes", "")}
check(sorted(parts) == sorted(want), "parts %s" % sorted(parts))
for tag, opt in want.items():
    r = parts.get(tag)
    if r:
        check(r["optype"] == opt and len(r["samples_ms"]) == 5 and min(r["samples_ms"]) > 0, tag)
        check(r["name"] == tag.replace("/", "_"), "name of " + tag)
check(parts.get("attn/MatMul/8192/0", {}).get("flops") == 2 * 8192 * 8, "QK^T FLOPs")
check(parts.get("attn/MatMul/3072/0", {}).get("flops") == 2 * 3072 * 16, "qkv FLOPs")
# the module's own record: the rest, with its submodules named; no records of its own for them
check(layers.get("attn", {}).get("nodes") == "attn|attn_qkv|attn_proj", "attention rest record")
check("attn_qkv" not in layers, "a submodule of a module timed whole timed on its own")
check(layers.get("mha", {}).get("optype") == "MultiheadAttention", "mha's own record")
check(min(layers.get("mha", {}).get("samples_ms", [-1])) > -1, "mha's rest")
q = [r for r in recs if r["type"] == "model" and r.get("quiet")]
check(len(q) == 1 and q[0]["mode_calls"] > 0 and q[0]["samples_ms"][0] > 0, "quiet record with the mode's calls")
print("torch runner parts: %s (%d part records)" % ("FAIL" if fail else "ok", len(parts)))
sys.exit(fail)
PY

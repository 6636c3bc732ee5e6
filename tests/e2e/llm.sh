#!/usr/bin/env bash
# graphs llm: the physics on known figures (parameter counts, KV bytes per token, the decode floor
# of weights / bandwidth, MoE expert union, tensor-parallel split), refusals with exit 2 (does not
# fit, no memory figure, no link, bad config files naming the key), every platform answering 0 or
# 2, and the ratio estimate / published for every row of data/llm/published.csv (printed; a wide
# band asserted, nothing fitted to them). A few seconds.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
cd "$(dirname "$0")/../.."
exec python3 - "$cli" <<'EOF'
import csv, json, math, os, statistics, subprocess, sys

cli = sys.argv[1]
fails = []
# a sanitizer build starts ~10x slower: it checks every 4th platform and published row
asan = "libasan" in subprocess.run(["ldd", cli], capture_output=True, text=True).stdout
every = int(os.environ.get("GRAPHS_TEST_EVERY", "4" if asan else "1"))

def run(*args):
    p = subprocess.run([cli, "llm", *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr

def js(*args):
    rc, out, err = run(*args, "--format", "json")
    if rc != 0:
        raise SystemExit(f"FAIL graphs llm {' '.join(args)}: exit {rc}: {err}")
    return json.loads(out)

def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)

base = ["--input-len", "128", "--output-len", "128"]

# --- help and registration
rc, out, _ = run("--help")
check(rc == 0 and "llama-3.1-8b" in out and "qwen3-30b-a3b" in out, "llm --help lists the built-in models")
top = subprocess.run([cli, "--help"], capture_output=True, text=True).stdout
check(" llm " in top, "graphs --help lists llm")

# --- physics on known figures
j = js("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "fp16", *base)
check(abs(j["params"] - 8.03e9) < 0.01e9,
      f"llama-3.1-8b has 8.03 B parameters (got {j['params']})")
check(j["kv_cache_bytes_per_token"] == 2 * 32 * 8 * 128 * 2, "llama-3.1-8b fp16 KV: 2 x 32 layers x 8 KV heads x 128 x 2 B")
check(j["weight_bytes"] == 2 * j["params"], "fp16 weights are 2 bytes per parameter")
floor_s = j["weight_bytes"] / (3350e9)
check(floor_s <= j["tpot_ms"] / 1e3 <= 2 * floor_s,
      f"batch-1 decode is weights / bandwidth-bound: {j['tpot_ms']:.2f} ms vs floor {floor_s*1e3:.2f} ms")
check(j["decode_bound"] == "memory", "batch-1 decode is memory-bound")
j8 = js("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "fp8", *base)
check(j8["kv_cache_bytes_per_token"] == 65536 and j8["kv_precision"] == "fp8", "fp8 KV cache by default with fp8")
j4 = js("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "int4", *base)
emb = 2 * 128256 * 4096
check(j4["weight_bytes"] == (j4["params"] - emb) * 0.5 + emb * 2 and j4["compute_precision"] == "fp16"
      and j4["kv_precision"] == "fp16", "int4 is weight-only: 0.5 B weights, 16-bit embeddings, fp16 compute and KV")
jkv = js("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "int4", "--kv-precision", "fp8", *base)
check(jkv["kv_cache_bytes_per_token"] == 65536, "--kv-precision fp8 halves the KV cache")
q = js("qwen3-30b-a3b", "--hw", "nvidia_h100_sxm5", "--precision", "bf16", *base)
check(q["kv_cache_bytes_per_token"] == 2 * 48 * 4 * 128 * 2, "qwen3-30b-a3b uses head_dim 128, not hidden/heads = 64")
check(abs(q["params"] - 30.53e9) < 0.05e9 and abs(q["active_params"] - 3.35e9) < 0.05e9,
      f"qwen3-30b-a3b: 30.5 B total, 3.35 B active (got {q['params']/1e9:.2f}, {q['active_params']/1e9:.2f})")
check(abs(q["experts_touched_per_layer"] - 8) < 1e-6, "MoE at batch 1 reads its 8 experts per layer")
q64 = js("qwen3-30b-a3b", "--hw", "nvidia_h100_sxm5", "--precision", "bf16", *base, "--batch", "64")
u = 128 * (1 - (1 - 8 / 128) ** 64)
check(abs(q64["experts_touched_per_layer"] - u) < 1e-6, f"MoE at batch 64 reads the union of experts ({u:.1f} of 128)")
ratio = q64["tpot_ms"] / q["tpot_ms"]
check(4 < ratio < 20, f"MoE step at batch 64 costs {ratio:.1f} batch-1 steps: more experts read, still shared")
t = js("tests/fixtures/llm/tiny_moe_shared.json", "--hw", "nvidia_h100_sxm5", "--precision", "fp16", *base)
check(t["params"] == 534016 and t["active_params"] == 275968,
      f"config with shared experts, a dense layer and tied embeddings: 534016 / 275968 params (got {t['params']} / {t['active_params']})")

# --- batch max and tensor parallelism
m = js("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "fp8", "--input-len", "1000", "--output-len", "1000", "--batch", "max")
check(m["batch"] == m["max_batch"] > 100 and m["memory_used_bytes_per_device"] <= m["memory_bytes_per_device"],
      f"--batch max runs the largest batch that fits ({m['batch']}), within the device's memory")
check(m["output_tokens_per_s"] > 50 * j8["output_tokens_per_s"] / 2, "max-load throughput far above batch 1")
rc, _, err = run("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "fp8", "--input-len", "1000",
                 "--output-len", "1000", "--batch", str(m["max_batch"] + 1))
check(rc == 2 and "does not fit" in err, "a batch above max_batch is refused (exit 2)")
t1 = js("llama-3.3-70b", "--hw", "nvidia_h100_sxm5", "--precision", "fp8", *base)
t2 = js("llama-3.3-70b", "--hw", "nvidia_h100_sxm5", "--precision", "fp8", "--tp", "2", *base)
check(t2["weight_bytes_per_device"] == t1["weight_bytes"] / 2 and t2["max_batch"] > 2 * t1["max_batch"],
      "tp 2 halves the weights per device and more than doubles the batch that fits")
check(t2["decode_step_ms"]["allreduce"] > 0 and t2["tpot_ms"] < t1["tpot_ms"], "tp 2 adds all-reduces and still decodes faster")
check(t2["assumptions"]["link_gbps"] == 450, "tp uses the registry's NVLink figure (450 GB/s per direction)")
rc, _, err = run("llama-3.1-8b", "--hw", "jetson_orin_agx_gpu", "--precision", "fp16", "--tp", "2", *base)
check(rc == 2 and "link" in err, "tp without a link in the registry is refused (exit 2)")
rc, _, _ = run("llama-3.1-8b", "--hw", "jetson_orin_agx_gpu", "--precision", "fp16", "--tp", "2", "--link", "50", *base)
check(rc == 0, "--link GBPS supplies the link")
rc, _, err = run("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--tp", "3", *base)
check(rc == 2 and "divide" in err, "--tp that does not divide the heads is refused (exit 2)")

# --- refusals and bad input
rc, _, err = run("llama-3.3-70b", "--hw", "jetson_orin_nano_gpu", "--precision", "int4", *base)
check(rc == 2 and "does not fit" in err and "GB" in err, "a model that does not fit at batch 1: exit 2 with the figures")
rc, _, err = run("phi-3-mini", "--hw", "hailo8", *base)
check(rc == 2 and "memory" in err, "a platform without a memory figure: exit 2")
for f, key in [("missing_hidden.json", "hidden_size"), ("bad_type.json", "hidden_size"),
               ("bad_gqa.json", "num_key_value_heads"), ("truncated.json", "JSON")]:
    rc, _, err = run(f"tests/fixtures/llm/{f}", "--hw", "nvidia_h100_sxm5", *base)
    check(rc == 2 and f in err and key in err, f"bad config {f}: exit 2 naming the file and '{key}'")
rc, _, err = run("llama-9", "--hw", "nvidia_h100_sxm5", *base)
check(rc == 2 and "llama-3.1-8b" in err, "unknown model name: exit 2 listing the built-in ones")
for args in [("llama-3.1-8b", *base), ("llama-3.1-8b", "--hw", "nvidia_h100_sxm5"),
             ("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--batch", "0", *base),
             ("llama-3.1-8b", "--hw", "nvidia_h100_sxm5", "--precision", "fp12", *base),
             ("llama-3.1-8b", "--hw", "no_such_gpu", *base)]:
    rc, _, _ = run(*args)
    check(rc == 1, f"usage error exits 1: {' '.join(args)}")

# --- every platform: 0 or a clear 2, never anything else
hw = json.loads(subprocess.run([cli, "hw", "list", "--format", "json"], capture_output=True, text=True).stdout)
codes = {}
for p in hw[::every]:
    rc, out, err = run("phi-3-mini", "--hw", p["id"], "--precision", "int4", *base, "--format", "json")
    codes[p["id"]] = rc
    if rc == 0:
        r = json.loads(out)
        if not (r["tpot_ms"] > 0 and r["ttft_ms"] > 0 and math.isfinite(r["output_tokens_per_s"])):
            fails.append(f"{p['id']}: non-positive figures")
    elif rc != 2 or not err.startswith("graphs: error:"):
        fails.append(f"{p['id']}: exit {rc}: {err.strip()}")
okn = sum(1 for v in codes.values() if v == 0)
check(okn >= 0.8 * len(codes) and all(v in (0, 2) for v in codes.values()),
      f"every platform answers 0 or 2 ({okn} of {len(codes)} estimate phi-3-mini int4)")

# --- published figures: ratios printed, a wide band asserted
rows = list(csv.DictReader(l for l in open("data/llm/published.csv") if not l.startswith("#")))
ratios = {"dense": [], "moe": [], "ttft": []}
print("\nestimate / published (data/llm/published.csv):")
for r in rows[::every]:
    args = [r["model"], "--hw", r["hardware"], "--precision", r["precision"], "--tp", r["tp"],
            "--input-len", r["input_len"], "--output-len", r["output_len"], "--batch", r["batch"]]
    rc, out, err = run(*args, "--format", "json")
    label = f"{r['source']} {r['model']:14s} {r['hardware']:22s} {r['precision']:4s} tp{r['tp']} " \
            f"{r['input_len']:>5}/{r['output_len']:<5} batch {r['batch']:>4}"
    if rc == 2 and "does not fit" in err:
        print(f"  {label}  estimate says the batch does not fit: {err.strip()[-60:]}")
        continue
    if rc != 0:
        fails.append(f"{label}: exit {rc} {err.strip()}")
        continue
    e = json.loads(out)
    ratio = e[r["metric"]] / float(r["published"])
    kind = "ttft" if r["metric"] == "ttft_ms" else ("moe" if r["model"] in ("qwen3-30b-a3b", "mixtral-8x7b") else "dense")
    ratios[kind].append(ratio)
    print(f"  {label}  {r['metric']:19s} {e[r['metric']]:10.1f} vs {float(r['published']):8.1f}  ratio {ratio:.2f}")
for kind, lo, hi in [("dense", 0.6, 1.6), ("ttft", 0.3, 3.0), ("moe", 0.5, 8.0)]:
    v = ratios[kind]
    if v:
        gm = math.exp(sum(map(math.log, v)) / len(v))
        print(f"  {kind}: {len(v)} rows, geometric mean {gm:.2f}, median {statistics.median(v):.2f}, "
              f"range {min(v):.2f} - {max(v):.2f}")
        check(all(lo <= x <= hi for x in v), f"{kind} ratios within [{lo}, {hi}]")

print(f"llm: {len(fails)} failed")
sys.exit(1 if fails else 0)
EOF

#!/usr/bin/python3
"""Times torchvision models (and their layers) with PyTorch for `graphs benchmark --backend torch`.

Run as a child process by libgraphs (src/benchmarks/runner.c); writes one JSON object per line
to stdout: a "meta" line, then "model" and "layer" records, "error" records for cases that cannot
run, and a final "done". Times are per-iteration samples in ms; the C side computes the
statistics and stores them. t_start/t_end are time.monotonic() (CLOCK_MONOTONIC on Linux, the
clock the C side's power sampler uses) around the timed loop, so energy can be integrated.
Weights are never downloaded (weights=None): timing does not depend on weight values.
"""
import argparse
import json
import math
import os
import resource
import signal
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def median_ci_rel(samples):
    """Half-width of the distribution-free 95% CI of the median, relative to the median."""
    s = sorted(samples)
    n = len(s)
    h = 1.96 * math.sqrt(n) / 2.0
    j = max(1, int(math.floor(n / 2.0 - h)))
    k = min(n, int(math.ceil(1 + n / 2.0 + h)))
    med = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    if med <= 0:
        return float("inf")
    return max(med - s[j - 1], s[k - 1] - med) / med


def time_loop(fn, sync, warmup, min_iters, max_iters, budget_s, rel_ci):
    for _ in range(warmup):
        fn()
    sync()
    samples = []
    t_start = time.monotonic()
    while True:
        t0 = time.perf_counter()
        fn()
        sync()
        samples.append((time.perf_counter() - t0) * 1e3)
        n = len(samples)
        if n >= max_iters:
            break
        if n >= min_iters:
            if median_ci_rel(samples) <= rel_ci:
                break
            if time.monotonic() - t_start >= budget_s:
                break
    t_end = time.monotonic()
    return samples, t_start, t_end


def dtype_of(torch, precision):
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def input_size(name):
    return 299 if name.startswith("inception") else 224


def layer_cost(mod, inp, out, elsize):
    """FLOPs (2 x MACs) of conv and linear layers; bytes = inputs + weights + outputs."""
    import torch

    def numel(x):
        if isinstance(x, torch.Tensor):
            return x.numel()
        if isinstance(x, (list, tuple)):
            return sum(numel(y) for y in x)
        return 0

    flops = 0
    if isinstance(mod, torch.nn.modules.conv._ConvNd):
        k = 1
        for d in mod.kernel_size:
            k *= d
        flops = 2 * numel(out) * (mod.in_channels // mod.groups) * k
    elif isinstance(mod, torch.nn.Linear):
        flops = 2 * numel(out) * mod.in_features
    weights = sum(p.numel() for p in mod.parameters(recurse=False))
    return flops, (numel(inp) + numel(out) + weights) * elsize


def timed_whole(torch, mod):
    """Attention modules are timed as one layer: their matmuls, softmax and head transposes
    are functional calls that no leaf module's hooks see (nn.MultiheadAttention does not even
    call its out_proj module)."""
    return isinstance(mod, torch.nn.MultiheadAttention) or type(mod).__name__.endswith("Attention")


def timed_layers(torch, model):
    """(name, module) of every layer the hooks time: leaf modules, and modules timed whole
    (whose submodules are then not timed on their own)."""
    out = []

    def walk(prefix, mod):
        kids = list(mod.named_children())
        if not kids or (prefix and timed_whole(torch, mod)):
            out.append((prefix, mod))
            return
        for n, c in kids:
            walk(prefix + "." + n if prefix else n, c)
    walk("", model)
    return out


def run_model(torch, tv, args, name, batch, precision, dev):
    ctor = getattr(tv.models, name, None)
    if ctor is None:
        emit({"type": "error", "model": name, "batch": batch, "precision": precision,
              "message": "torchvision has no model '%s'" % name})
        return
    kwargs = {"weights": None}
    # The same random weights every run: fresh random instances of one model can differ in
    # speed (denormals, memory layout), which is noise that repeated runs should not see.
    torch.manual_seed(0)
    if name.startswith("inception") or name.startswith("googlenet"):
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = False
    model = ctor(**kwargs).eval()
    dt = dtype_of(torch, precision)
    if dev.type == "cpu" and precision == "fp16":
        emit({"type": "error", "model": name, "batch": batch, "precision": precision,
              "message": "fp16 convolutions are not implemented on the cpu in this torch"})
        return
    model = model.to(device=dev, dtype=dt)
    size = input_size(name)
    x = torch.randn(batch, 3, size, size, device=dev, dtype=dt)
    if dev.type == "cuda":
        sync = torch.cuda.synchronize
        torch.cuda.reset_peak_memory_stats()
    else:
        def sync():
            pass
    elsize = torch.finfo(dt).bits // 8

    # One hooked pass counts FLOPs and bytes per leaf layer.
    leaves = timed_layers(torch, model)
    costs = {}
    hooks = []
    for lname, m in leaves:
        def post(mod, inp, out, lname=lname):
            costs[lname] = layer_cost(mod, inp, out, elsize)
        hooks.append(m.register_forward_hook(post))
    with torch.inference_mode():
        model(x)
    for h in hooks:
        h.remove()
    total_flops = sum(c[0] for c in costs.values())
    total_bytes = sum(c[1] for c in costs.values())

    with torch.inference_mode():
        samples, t0, t1 = time_loop(lambda: model(x), sync, args.warmup, args.min_iters,
                                    args.max_iters, args.budget_s, args.rel_ci)
    rec = {"type": "model", "model": name, "batch": batch, "precision": precision,
           "device": dev.type, "input": [batch, 3, size, size], "samples_ms": samples,
           "t_start": t0, "t_end": t1, "iters": len(samples),
           "threads": torch.get_num_threads(), "flops": total_flops, "bytes": total_bytes,
           "layers": len(leaves),
           "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    if dev.type == "cuda":
        rec["cuda_max_alloc_bytes"] = torch.cuda.max_memory_allocated()
    emit(rec)

    if not args.per_layer:
        return
    # Per layer: forward pre/post hooks on every leaf module time each call (synchronized on
    # CUDA); the whole model runs per iteration so every layer sees warm caches as in use.
    # Every call is also kept in call order, so that an iteration splits into layer calls and
    # the gaps between them (functional ops such as residual adds, concats and shuffles, and
    # Python): the sum of each piece's minimum over the iterations is the model's time on a
    # quiet machine. Pieces are short enough to fit between other processes' time slices,
    # which whole-model samples of tens of ms on a busy machine are not.
    times = {n: [] for n, _ in leaves}
    start = {}
    seq = []
    hooks = []
    for lname, m in leaves:
        def pre(mod, inp, lname=lname):
            sync()
            start[lname] = time.perf_counter()

        def post(mod, inp, out, lname=lname):
            sync()
            t = time.perf_counter()
            times[lname].append((t - start[lname]) * 1e3)
            seq.append((start[lname], t))
        hooks.append(m.register_forward_pre_hook(pre))
        hooks.append(m.register_forward_hook(post))
    iters = max(args.min_iters, 5)
    pieces = None
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(x)
        for v in times.values():
            v.clear()
        for _ in range(iters):
            del seq[:]
            sync()
            t0 = time.perf_counter()
            model(x)
            sync()
            t1 = time.perf_counter()
            edges = [t0] + [e for call in seq for e in call] + [t1]
            d = [edges[i + 1] - edges[i] for i in range(len(edges) - 1)]
            if pieces is None:
                pieces = d
            elif len(d) == len(pieces):
                pieces = [min(a, b) for a, b in zip(pieces, d)]
        ncalls = len(seq)
        hook_s = hook_overhead(torch, sync)
    for h in hooks:
        h.remove()
    for idx, (lname, m) in enumerate(leaves):
        if not times[lname]:
            continue
        flops, nbytes = costs.get(lname, (0, 0))
        rec = {"type": "layer", "model": name, "batch": batch, "precision": precision,
               "device": dev.type, "index": idx, "name": lname.replace(".", "_"),
               "optype": type(m).__name__, "samples_ms": times[lname], "flops": flops,
               "bytes": nbytes, "threads": torch.get_num_threads()}
        subs = [lname + "." + n for n, _ in m.named_modules() if n]
        if subs:
            rec["nodes"] = "|".join(x.replace(".", "_") for x in [lname] + subs)
        emit(rec)
    if pieces:
        quiet = (sum(pieces) - ncalls * hook_s) * 1e3
        if quiet > 0:
            emit({"type": "model", "quiet": True, "model": name, "batch": batch,
                  "precision": precision, "device": dev.type, "input": [batch, 3, size, size],
                  "samples_ms": [quiet], "iters": iters, "threads": torch.get_num_threads(),
                  "flops": total_flops, "bytes": total_bytes, "layers": len(leaves),
                  "hook_us": hook_s * 1e6, "calls": ncalls})


def hook_overhead(torch, sync):
    """What a pair of timing hooks adds to one leaf call: the best of many calls of a tiny
    module with and without them (short calls: their minimum is the quiet figure)."""
    m = torch.nn.Identity()
    x = torch.zeros(1)
    t = {}

    def pre(mod, inp):
        sync()
        t["s"] = time.perf_counter()

    def post(mod, inp, out):
        sync()
        t["e"] = time.perf_counter() - t["s"]

    def best():
        b = float("inf")
        for _ in range(300):
            a = time.perf_counter()
            m(x)
            b = min(b, time.perf_counter() - a)
        return b
    plain = best()
    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(post)
    hooked = best()
    h1.remove()
    h2.remove()
    return max(0.0, hooked - plain)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="resnet18")
    ap.add_argument("--batch", default="1")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-iters", type=int, default=10)
    ap.add_argument("--max-iters", type=int, default=1000)
    ap.add_argument("--budget-s", type=float, default=5.0)
    ap.add_argument("--rel-ci", type=float, default=0.02)
    ap.add_argument("--per-layer", action="store_true")
    args = ap.parse_args()
    # The parent decides when to stop (it waits for the current record, then ends us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    try:
        import torch
        import torchvision as tv
    except Exception as e:  # noqa: BLE001 - reported to the parent, which stores nothing
        emit({"type": "error", "message": "cannot import torch: %s" % e})
        return 2
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.device == "cuda" and not torch.cuda.is_available():
        emit({"type": "error", "message": "cuda is not available to torch here"})
        return 2
    dev = torch.device(args.device)
    meta = {"type": "meta", "torch": torch.__version__, "torchvision": tv.__version__,
            "threads": torch.get_num_threads(), "device": args.device, "pid": os.getpid()}
    if dev.type == "cuda":
        p = torch.cuda.get_device_properties(0)
        meta["gpu"] = "%s (%d MiB, cc %d.%d, cuda %s)" % (
            p.name, p.total_memory >> 20, p.major, p.minor, torch.version.cuda)
    emit(meta)
    for name in [m for m in args.models.split(",") if m]:
        for batch in [int(b) for b in args.batch.split(",") if b]:
            for prec in [p for p in args.precision.split(",") if p]:
                try:
                    run_model(torch, tv, args, name, batch, prec, dev)
                except Exception as e:  # noqa: BLE001 - one failing case must not end the run
                    emit({"type": "error", "model": name, "batch": batch, "precision": prec,
                          "message": str(e).splitlines()[0] if str(e) else type(e).__name__})
    emit({"type": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())

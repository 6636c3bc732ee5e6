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


def load_counters():
    """Counters for disturbance(): the machine's busy and steal time (/proc/stat, USER_HZ
    ticks), this process's CPU time and involuntary context switches, and the time the timing
    thread waited on a run queue (/proc/thread-self/schedstat)."""
    c = {"wall": time.monotonic()}
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
        c["busy"] = (v[0] + v[1] + v[2] + v[5] + v[6]) / hz  # user nice system irq softirq
        c["steal"] = (v[7] if len(v) > 7 else 0) / hz
        c["ncpu"] = os.cpu_count() or 1
    except (OSError, ValueError, IndexError):
        pass
    try:  # the timing thread's own (torch's idle pool threads wait too, harmlessly)
        with open("/proc/thread-self/schedstat") as f:
            c["delay"] = int(f.read().split()[1]) * 1e-9
    except (OSError, ValueError, IndexError):
        pass
    ru = resource.getrusage(resource.RUSAGE_SELF)
    c["cpu"] = ru.ru_utime + ru.ru_stime
    c["nivcsw"] = ru.ru_nivcsw
    return c


def disturbance(c0, probe_ms=None):
    """Since load_counters() gave c0: CPUs other processes kept busy on average (others_cpu),
    the shares of the wall time the hypervisor stole from the machine's CPUs (steal_share, per
    CPU) and the timing thread waited to run (delay_share), involuntary switches, and the
    speed probe (probe_ms: before the model's timing without a per-layer pass, else the median
    of the probes between the pass's iterations). The C side judges them (src/cli/rounds.c)."""
    c1 = load_counters()
    wall = max(c1["wall"] - c0["wall"], 1e-9)
    d = {"wall_s": round(wall, 3), "cpu_s": round(c1["cpu"] - c0["cpu"], 3),
         "nivcsw": c1["nivcsw"] - c0["nivcsw"]}
    if "busy" in c0 and "busy" in c1:
        own = c1["cpu"] - c0["cpu"]
        d["others_cpu"] = round(max(0.0, c1["busy"] - c0["busy"] - own) / wall, 3)
        d["steal_share"] = round((c1["steal"] - c0["steal"]) / wall / c1["ncpu"], 4)
    if "delay" in c0 and "delay" in c1:
        d["delay_share"] = round(max(0.0, c1["delay"] - c0["delay"]) / wall, 4)
    if probe_ms is not None:
        d["probe_ms"] = round(probe_ms, 4)
    return d


def speed_probe(torch, n=100):
    """The best of n products of two 256x256 fp32 matrices, in ms: a fixed piece of work
    whose time should repeat. On a virtual machine another process on the sibling hardware
    thread (or another guest) slows it by up to 2.5x without any steal time (this project's VM),
    as it slows the layers; the C side compares it across a benchmark's rounds."""
    a = torch.randn(256, 256)
    b = torch.randn(256, 256)
    best = float("inf")
    with torch.inference_mode():
        for _ in range(n):
            t = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - t)
    return best * 1e3


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


# Functional calls inside a module timed whole that the graph has as ops of their own, timed
# apart (PartTimer): torch's name -> the ONNX op type torch exports it as.
PART_OPS = {"matmul": "MatMul", "__matmul__": "MatMul", "bmm": "MatMul", "baddbmm": "MatMul",
            "einsum": "Einsum", "softmax": "Softmax", "linear": None}  # linear: Gemm on 2-D inputs, else MatMul


def part_cost(torch, fname, args, out, elsize):
    """(ONNX op type, FLOPs, bytes) of a part call; FLOPs of the products, 0 for softmax."""
    ins = [a for a in args if isinstance(a, torch.Tensor)]
    flops = 0
    if fname == "linear":
        op = "Gemm" if ins[0].dim() == 2 else "MatMul"
        flops = 2 * out.numel() * ins[0].shape[-1]
    else:
        op = PART_OPS[fname]
        if op == "MatMul":
            flops = 2 * out.numel() * ins[0].shape[-1]
        elif op == "Einsum" and isinstance(args[0], str) and "->" in args[0]:
            # 2 x the product of every index's extent ("bghid,bghjd->bghij")
            size = {}
            for letters, t in zip(args[0].replace(" ", "").split("->")[0].split(","), ins):
                for c, n in zip(letters, t.shape):
                    size[c] = n
            flops = 2 * math.prod(size.values())
    nbytes = (sum(a.numel() for a in ins) + out.numel()) * elsize
    return op, flops, nbytes


def part_timer(torch, sync):
    """A torch-function mode that times the PART_OPS calls of a module timed whole, each on
    its own (synchronized), and counts every call it sees (its own cost per call is measured
    by mode_overhead and taken off the module's remainder)."""
    from torch.overrides import TorchFunctionMode

    class PartTimer(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.parts = []  # (torch name, args, output, seconds) in call order
            self.calls = 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            self.calls += 1
            fname = getattr(func, "__name__", "")
            if fname not in PART_OPS:
                return func(*args, **kwargs)
            sync()
            t0 = time.perf_counter()
            out = func(*args, **kwargs)
            sync()
            self.parts.append((fname, args, out, time.perf_counter() - t0))
            return out
    return PartTimer


def mode_overhead(torch, mode_cls):
    """What the part timer's mode adds to one call it does not time: the best of many calls
    of a tiny op with and without it."""
    x = torch.zeros(1)

    def best():
        b = float("inf")
        for _ in range(300):
            a = time.perf_counter()
            torch.neg(x)
            b = min(b, time.perf_counter() - a)
        return b
    plain = best()
    with mode_cls():
        hooked = best()
    return max(0.0, hooked - plain)


def mha_parts(torch, mod, y):
    """(torch name, function, args) of the products and softmax nn.MultiheadAttention's Python
    path runs in self-attention whose output is y (torch.nn.functional.multi_head_attention_forward:
    a packed in-projection, q k^T and attention x v per head, softmax, the out-projection on the
    2-D (tokens x batch, embed) view), as the zoo's ONNX export has them; [] otherwise. The
    input has the output's shape (keys as long as queries: self-attention is assumed)."""
    F = torch.nn.functional
    x = y if isinstance(mod, torch.nn.MultiheadAttention) and isinstance(y, torch.Tensor) else None
    if x is None or x.dim() != 3 or mod.in_proj_weight is None:
        return []
    if mod.batch_first:
        x = x.transpose(0, 1)
    n, b, e = x.shape
    h = mod.num_heads
    q = torch.randn(b * h, n, e // h, dtype=x.dtype, device=x.device)
    a = torch.softmax(torch.randn(b * h, n, n, dtype=x.dtype, device=x.device), -1)
    return [("linear", F.linear, (x, mod.in_proj_weight, mod.in_proj_bias)),
            ("bmm", torch.bmm, (q, q.transpose(-2, -1))),
            ("softmax", lambda t: torch.softmax(t, -1), (a,)),
            ("bmm", torch.bmm, (a, q)),
            ("linear", F.linear, (x.reshape(n * b, e), mod.out_proj.weight, mod.out_proj.bias))]


def split_parts(torch, mod):
    """Modules timed whole whose internals run as Python functional calls that a torch-function
    mode sees as they run. Not nn.MultiheadAttention: any such mode turns its fused fast path
    (one native call) off, which would time a path the model does not run."""
    return not isinstance(mod, torch.nn.MultiheadAttention)


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


def run_model(torch, tv, args, name, batch, precision, dev, model=None, size=None):
    """model/size: a module of the caller's and its input size, in place of torchvision's
    model `name` (tests/e2e/torch_runner_parts.sh)."""
    ctor = getattr(tv.models, name, None) if model is None else (lambda **kw: model)
    if ctor is None:
        emit({"type": "error", "model": name, "batch": batch, "precision": precision,
              "message": "torchvision has no model '%s'" % name})
        return
    kwargs = {"weights": None}
    # The same random weights every run: fresh random instances of one model can differ in
    # speed (denormals, memory layout), which is noise that repeated runs should not see.
    torch.manual_seed(0)
    if model is None and (name.startswith("inception") or name.startswith("googlenet")):
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = False
    model = ctor(**kwargs).eval()
    dt = dtype_of(torch, precision)
    if dev.type == "cpu" and precision == "fp16":
        emit({"type": "error", "model": name, "batch": batch, "precision": precision,
              "message": "fp16 convolutions are not implemented on the cpu in this torch"})
        return
    model = model.to(device=dev, dtype=dt)
    size = size or input_size(name)
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

    probe0 = None if args.per_layer else speed_probe(torch)
    c0 = load_counters()
    with torch.inference_mode():
        samples, t0, t1 = time_loop(lambda: model(x), sync, args.warmup, args.min_iters,
                                    args.max_iters, args.budget_s, args.rel_ci)
    rec = {"type": "model", "model": name, "batch": batch, "precision": precision,
           "device": dev.type, "input": [batch, 3, size, size], "samples_ms": samples,
           "t_start": t0, "t_end": t1, "iters": len(samples),
           "threads": torch.get_num_threads(), "flops": total_flops, "bytes": total_bytes,
           "layers": len(leaves),
           "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
           "disturb": disturbance(c0, probe0)}
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
    # A module timed whole whose functional calls a torch-function mode sees (split_parts) has
    # its products and softmaxes (PART_OPS) timed apart, each its own record; the module's own
    # record is then the rest of each call: its time less its parts' and the mode's cost.
    times = {n: [] for n, _ in leaves}
    start = {}
    seq = []
    hooks = []
    timer = part_timer(torch, sync)
    mode_s = mode_overhead(torch, timer)
    modes = {}
    parts = {}  # module name -> [(torch name, ONNX op, flops, bytes, [ms per call])]
    mode_calls = [0]
    replay = {}  # module timed whole, not split: its first call's output
    for lname, m in leaves:
        split = timed_whole(torch, m) and split_parts(torch, m)
        if timed_whole(torch, m) and not split:
            replay[lname] = None

        def pre(mod, inp, lname=lname, split=split):
            sync()
            start[lname] = time.perf_counter()
            if split:
                modes[lname] = timer()
                modes[lname].__enter__()

        def post(mod, inp, out, lname=lname, split=split):
            if lname in replay and replay[lname] is None:  # the output: inputs may be keywords
                replay[lname] = out[0] if isinstance(out, tuple) else out
            inner = 0.0
            if split:
                md = modes.pop(lname)
                md.__exit__(None, None, None)
                mine = parts.setdefault(lname, [])
                if not mine:
                    for fname, a, o, _ in md.parts:
                        op, fl, nb = part_cost(torch, fname, a, o, elsize)
                        mine.append([fname, op, fl, nb, o.numel(), []])
                if len(mine) == len(md.parts):
                    for rec, (_, _, _, sec) in zip(mine, md.parts):
                        rec[5].append(sec * 1e3)
                inner = sum(p[3] for p in md.parts) + md.calls * mode_s
                mode_calls[0] += md.calls
            sync()
            t = time.perf_counter()
            times[lname].append((t - start[lname] - inner) * 1e3)
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
        for v in parts.values():
            for p in v:
                p[5].clear()
        probes = []
        for _ in range(iters):
            # the machine's speed during the pass, between iterations (what the layers' minima
            # see; a probe before and after the pass did not follow them on this VM)
            probes.append(speed_probe(torch, 10))
            del seq[:]
            mode_calls[0] = 0
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
    # nn.MultiheadAttention (no mode can watch it): its parts are timed on their own at the
    # shapes of its first call, each its best over a few calls, and its record is its own time
    # less their sum.
    with torch.inference_mode():
        for lname, y in replay.items():
            calls = mha_parts(torch, dict(leaves)[lname], y)
            if not calls or not times[lname]:
                continue
            mine = parts.setdefault(lname, [])
            for fname, fn, a in calls:
                out = fn(*a)
                op, fl, nb = part_cost(torch, fname, a, out, elsize)
                ms = []
                for _ in range(max(args.min_iters, 5)):
                    sync()
                    t0 = time.perf_counter()
                    fn(*a)
                    sync()
                    ms.append((time.perf_counter() - t0) * 1e3)
                mine.append([fname, op, fl, nb, out.numel(), ms])
            inner = sum(min(p[5]) for p in mine)
            times[lname] = [t - inner for t in times[lname]]
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
        # its parts: "module/OnnxOp/output elements/k", the k-th such call in the module, which
        # calibration matches to the k-th op of that type and size under the module
        seen = {}
        for fname, op, fl, nb, numel, ms in parts.get(lname, []):
            k = seen.get((op, numel), 0)
            seen[(op, numel)] = k + 1
            if not ms:
                continue
            tag = "%s/%s/%d/%d" % (lname.replace(".", "_"), op, numel, k)
            emit({"type": "layer", "model": name, "batch": batch, "precision": precision,
                  "device": dev.type, "index": idx, "name": tag.replace("/", "_"),
                  "optype": "matmul" if op == "MatMul" and fname != "linear" else fname,
                  "samples_ms": ms, "flops": fl, "bytes": nb, "nodes": tag,
                  "threads": torch.get_num_threads()})
    if pieces:
        quiet = (sum(pieces) - ncalls * hook_s - mode_calls[0] * mode_s) * 1e3
        if quiet > 0:
            emit({"type": "model", "quiet": True, "model": name, "batch": batch,
                  "precision": precision, "device": dev.type, "input": [batch, 3, size, size],
                  "samples_ms": [quiet], "iters": iters, "threads": torch.get_num_threads(),
                  "flops": total_flops, "bytes": total_bytes, "layers": len(leaves),
                  "hook_us": hook_s * 1e6, "calls": ncalls, "mode_us": mode_s * 1e6,
                  "mode_calls": mode_calls[0],
                  "disturb": disturbance(c0, sorted(probes)[len(probes) // 2])})


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

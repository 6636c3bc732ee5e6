#!/usr/bin/env python3
"""Torch's own timing of zoo models, as bench/new_machine.sh and bench/unseen_cpu.sh take it:
PyTorch eager, batch 1, fp32, weights=None, torch's default thread count, two rounds, the minimum
per model. Each round also times the model with hooks on its leaf modules, as the benchmark's
quiet record does: the sum of every layer's and every gap's minimum less the hooks' cost is the
model's time on a quiet machine, which whole runs of tens of ms on a busy one rarely see.
Usage: torch_times.py MODEL,MODEL,... OUT (lines: model, best ms, quiet ms)."""
import sys, time, torch, torchvision
names = sys.argv[1].split(",")
models = {}
x = torch.randn(1, 3, 224, 224)
best = {n: float("inf") for n in names}
pieces = {n: None for n in names}
ev = []


def pre(mod, inp):
    ev.append(time.perf_counter())


def post(mod, inp, out):
    ev.append(time.perf_counter())


def hook_cost():
    m, z = torch.nn.Identity(), torch.zeros(1)

    def bestof():
        b = float("inf")
        for _ in range(300):
            a = time.perf_counter()
            m(z)
            b = min(b, time.perf_counter() - a)
        return b
    plain = bestof()
    h = [m.register_forward_pre_hook(lambda mod, inp: None), m.register_forward_hook(lambda mod, inp, out: None)]
    hooked = bestof()
    for e in h:
        e.remove()
    return max(0.0, hooked - plain)


with torch.inference_mode():
    for n in names:
        kw = {"weights": None}
        if n.startswith("googlenet") or n.startswith("inception"):
            kw.update(aux_logits=False, init_weights=False)
        models[n] = getattr(torchvision.models, n)(**kw).eval()
        for _ in range(3):
            models[n](x)
    hs = hook_cost()
    for rnd in range(2):
        for n in names:
            for _ in range(6):
                t = time.perf_counter()
                models[n](x)
                best[n] = min(best[n], (time.perf_counter() - t) * 1e3)
            hooks = []
            for mod in models[n].modules():
                if not list(mod.children()):
                    hooks += [mod.register_forward_pre_hook(pre), mod.register_forward_hook(post)]
            for _ in range(6):
                del ev[:]
                t0 = time.perf_counter()
                models[n](x)
                e = [t0] + ev + [time.perf_counter()]
                d = [e[i + 1] - e[i] for i in range(len(e) - 1)]
                p = pieces[n]
                pieces[n] = d if p is None or len(p) != len(d) else [min(a, b) for a, b in zip(p, d)]
            calls = len(ev) // 2
            for h in hooks:
                h.remove()
            pieces[n + "#calls"] = calls
with open(sys.argv[2], "w") as f:
    for n in names:
        quiet = (sum(pieces[n]) - pieces[n + "#calls"] * hs) * 1e3
        f.write("%s %.4f %.4f\n" % (n, best[n], quiet))

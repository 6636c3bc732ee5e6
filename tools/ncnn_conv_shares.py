#!/usr/bin/env python3
"""Winograd against direct convolutions in the ncnn fits, and the held-out int8 rows.

For every registry pair of data/published/ncnn_benchmark.csv: each float row (mapping
same_arch or torchvision_exact, batch 1) is estimated with the shipped profile and its
estimate split into the compute time of Winograd convs (kernels with a `flops_run`), of the
other matrix kernels (conv, gemm, matmul, attention) and the rest. Two multipliers, w on the
first and d on the second, are fitted to the float rows with the rest held (least sum of
|log(estimate / published)| over a grid of e^(k/20)); w = d = 1 when the fit's one conv share
suits both. Then each int8 row (held out: no ncnn pair has an int8 fit) is printed with its
estimate, the same with its matrix compute times d (lending the direct convs' share), and for
the int8 row of each mapped model the ratio of the share its published time needs to d's share.
docs/estimate.md, "Fast convolution", quotes this table.

    tools/ncnn_conv_shares.py [build/graphs] [--pairs REGEX]
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MATRIX = {"conv", "gemm", "matmul", "attention"}
GRID = [math.exp(k / 20) for k in range(-40, 41)]


def estimate(cli, model, spec, prec, shape):
    cmd = [cli, "estimate", model, "--hw", spec, "--runtime", "ncnn", "--precision", prec,
           "--format", "json"]
    # the benchmark's squeezenet runs at 227 x 227 (the zoo model's default is 224)
    if shape != "1x3x224x224":
        cmd += ["--input-shape", "input=" + shape]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:  # a shape the zoo graph cannot take (the fit skips it too)
        print("   skipped %s %s at %s: %s" % (model, prec, shape, p.stderr.strip().splitlines()[-1]))
        return None
    d = json.loads(p.stdout)
    wino = direct = 0.0
    for k in d["kernels"]:
        if k["class"] == "conv" and k.get("flops_run") is not None:
            wino += k["compute_ms"]
        elif k["class"] in MATRIX:
            direct += k["compute_ms"]
    return d["latency_ms"], wino, direct


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cli", nargs="?", default=os.path.join(ROOT, "build", "graphs"))
    ap.add_argument("--pairs", default="", help="regular expression on id[:mode]")
    a = ap.parse_args()
    pairs = {}
    with open(os.path.join(ROOT, "data", "published", "ncnn_benchmark.csv"), newline="") as fh:
        for r in csv.DictReader(fh):
            if (not r["registry_id"] or r["runtime"] != "ncnn" or r["batch"] != "1"
                    or not r["zoo_model"]):
                continue
            spec = r["registry_id"] + (":" + r["mode"] if r["mode"] else "")
            if re.search(a.pairs, spec):
                pairs.setdefault(spec, []).append(r)
    for spec, rows in sorted(pairs.items()):
        fl = [r for r in rows if r["precision"] != "int8"
              and r["mapping"] in ("same_arch", "torchvision_exact")]
        if not fl:
            continue
        fit = [(float(r["value"]),) + e for r in fl
               for e in [estimate(a.cli, r["zoo_model"], spec, r["precision"], r["input_shape"])]
               if e]

        def loss(w, d):
            return sum(abs(math.log((lat + (w - 1) * wi + (d - 1) * di) / pub))
                       for pub, lat, wi, di in fit)
        _, w, d = min((loss(w, d), w, d) for w in GRID for d in GRID)
        print("%s (%s, %d rows): w %.2f, d %.2f (loss %.2f -> %.2f)"
              % (spec, fl[0]["precision"], len(fit), w, d, loss(1, 1), loss(w, d)))
        for r in rows:
            if r["precision"] != "int8":
                continue
            pub = float(r["value"])
            e = estimate(a.cli, r["zoo_model"], spec, "int8", r["input_shape"])
            if not e:
                continue
            lat, wi, di = e
            lent = lat + (d - 1) * (wi + di)
            need = ""
            if r["mapping"] in ("same_arch", "torchvision_exact") and wi == 0 and di > 0:
                rest = lat - di
                need = "  needs %.2f of d's share" % (di / (pub - rest) * d) if pub > rest else ""
            print("   int8 %-18s %-10s published %8.2f estimate %8.2f (%+5.0f%%), with d %8.2f"
                  " (%+5.0f%%)%s" % (r["zoo_model"], r["mapping"], pub, lat,
                                     100 * (lat / pub - 1), lent, 100 * (lent / pub - 1), need))


if __name__ == "__main__":
    main()

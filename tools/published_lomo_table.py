#!/usr/bin/env python3
"""Leave-one-model-out table of profiles fitted from published figures (data/published).

Reads each profile's own accuracy fields (precisions.P.quality.published: models, rows_*,
lomo_mape_*) under DIR (default calibration/, laid out as DIR/<id>/<mode>/<runtime>.json, as
tools/calibrate_published.sh writes it) and prints the markdown table of docs/published.md
(platform, runtime, precision, models, rows, LOMO MAPE, metric: the worse metric of that
precision) and its summary line: pairs, median of each (platform, runtime) pair's worst LOMO
MAPE, pairs at or below 15%, pairs above 25%.

    tools/published_lomo_table.py [DIR] [--compare OLDDIR] [--pairs REGEX]

--compare OLDDIR adds the same figure from OLDDIR's profiles beside each row (before -> after)
and prints both summaries; --pairs keeps the pairs whose "id/mode/runtime" (mode "default"
when none) the regular expression matches (re.search), e.g. '^(?!hailo)'.
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys


def load(root, pairs):
    """{(id, mode, runtime): {precision: (models, rows, worst lomo, metric)}}"""
    out = {}
    for path in sorted(glob.glob(os.path.join(root, "*", "*", "*.json"))):
        try:
            d = json.load(open(path))
        except (OSError, ValueError) as e:
            sys.exit("published_lomo_table: %s: %s" % (path, e))
        if d.get("format") != "graphs-calibration-profile":
            continue
        if "data/published" not in d.get("provenance", {}).get("sources", ""):
            continue
        key = (d["hardware"], d.get("mode") or "", d["runtime"])
        if pairs and not re.search(pairs, "%s/%s/%s" % (key[0], key[1] or "default", key[2])):
            continue
        precs = {}
        for prec, p in sorted(d.get("precisions", {}).items()):
            pub = p.get("quality", {}).get("published")
            if not isinstance(pub, dict):
                continue
            worst, metric = None, "-"
            for m in ("latency", "throughput"):
                v = pub.get("lomo_mape_" + m)
                if v is not None and (worst is None or v > worst):
                    worst, metric = v, m
            precs[prec] = (pub.get("models", 0), pub.get("rows_latency", 0) + pub.get("rows_throughput", 0),
                           worst, metric)
        if precs:
            out[key] = precs
    return out


def pair_worst(precs):
    v = [p[2] for p in precs.values() if p[2] is not None]
    return max(v) if v else None


def summary(data):
    w = [x for x in (pair_worst(p) for p in data.values()) if x is not None]
    if not w:
        return "0 calibrated (platform, runtime) pairs from published figures"
    return ("%d calibrated (platform, runtime) pairs from published figures; median of their worst LOMO MAPE "
            "%.1f%%; at or below 15%%: %d; above 25%%: %d (the worse of latency and throughput where a pair "
            "has both)." % (len(w), 100 * statistics.median(w), sum(1 for x in w if x <= 0.15),
                            sum(1 for x in w if x > 0.25)))


def pct(v):
    return "-" if v is None else "%.1f%%" % (100 * v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", default="calibration")
    ap.add_argument("--compare", metavar="OLDDIR")
    ap.add_argument("--pairs", metavar="REGEX", default="")
    a = ap.parse_args()
    new = load(a.dir, a.pairs)
    old = load(a.compare, a.pairs) if a.compare else None
    if old is None:
        print("| platform | runtime | precision | models | rows | LOMO MAPE | metric |")
        print("|---|---|---|---:|---:|---:|---|")
    else:
        print("| platform | runtime | precision | models | rows | LOMO MAPE before | LOMO MAPE after | metric |")
        print("|---|---|---|---:|---:|---:|---:|---|")
    for key in sorted(set(new) | set(old or {})):
        plat = key[0] + (":" + key[1] if key[1] else "")
        precs = sorted(set(new.get(key, {})) | set((old or {}).get(key, {})))
        for prec in precs:
            n = new.get(key, {}).get(prec)
            o = (old or {}).get(key, {}).get(prec)
            ref = n or o
            if old is None:
                print("| %s | %s | %s | %d | %d | %s | %s |" % (plat, key[2], prec, ref[0], ref[1], pct(ref[2]),
                                                             ref[3]))
            else:
                print("| %s | %s | %s | %d | %d | %s | %s | %s |" % (
                    plat, key[2], prec, ref[0], ref[1], pct(o[2] if o else None), pct(n[2] if n else None),
                    ref[3]))
    print()
    if old is not None:
        print("before: " + summary(old))
        print("after:  " + summary(new))
    else:
        print(summary(new))


if __name__ == "__main__":
    main()

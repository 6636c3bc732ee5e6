#!/usr/bin/env python3
"""Leave-one-platform-out evaluation of transfer (docs/transfer.md).

For every platform that has calibration profiles and measurements, its own profiles are
removed from the search path and its measured models are estimated three ways with
`graphs estimate --format json`: theoretical (--no-calibration), transferred (whatever the
remaining profiles lend: the nearest calibrated platform of its class), and calibrated (its own
profile, in-sample, for reference). Platforms whose profiles cover several power modes are also
scored leave-one-mode-out: each mode estimated from the platform's other modes, and platforms
with measurements but no profile are scored as they are (theoretical vs what transfer lends).

Measurements: shared/groundtruth/models.csv (PyTorch eager) and the data/published/*.csv rows
the published fit uses (a registry_id, a zoo_model mapped torchvision_exact or same_arch, a
batch, no layers on another unit), each estimated at its input shape; latency_ms rows against
the estimate's latency, throughput_fps rows as the period of one batch against its steady state.
Prints one line per platform (and mode set) and a MAPE per class; exit 0 when it ran, 2 on bad
input. Usage: tools/transfer_lopo.py [--cli build/graphs] [--groundtruth DIR] [--published DIR]
[--calibration DIR] [--precision P] [--batch N] [--platforms REGEX] [--json FILE]
"""
import argparse
import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "published"))
import pubcommon as pc  # noqa: E402

GT_SPECS = {"intel_core_i7_12700k": "intel_core_i7_12700k"}  # jetson_orin_<mode> below


def gt_spec(name):
    if name in GT_SPECS:
        return GT_SPECS[name]
    if name.startswith("jetson_orin_"):
        return "jetson_orin_agx_gpu:" + name[len("jetson_orin_"):]
    return None


def read_rows(args):
    rows = []
    gt = os.path.join(args.groundtruth, "models.csv") if args.groundtruth else None
    if gt and os.path.exists(gt):
        with open(gt, newline="") as f:
            for r in csv.DictReader(f):
                spec = gt_spec(r["hardware"])
                if spec:
                    rows.append({"spec": spec, "model": r["model"], "runtime": "pytorch",
                                 "precision": r["precision"], "batch": int(r["batch"]),
                                 "ms": float(r["total_latency_ms"]), "source": "groundtruth"})
    for path in sorted(glob.glob(os.path.join(args.published, "*.csv"))) if args.published else []:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if not pc.fit_uses(r):  # the rows the published fit uses (docs/published.md)
                    continue
                try:
                    batch = int(r["batch"])
                    v = float(r["value"])
                except ValueError:
                    continue
                if r["metric"] == "latency_ms":
                    ms = v
                elif r["metric"] == "throughput_fps" and v > 0:
                    ms = 1000.0 * batch / v  # the period of one batch, compared with the steady state
                else:
                    continue
                spec = r["registry_id"] + (":" + r["mode"] if r.get("mode") else "")
                rt = pc.runtime_key(r["runtime"] or "pytorch")
                rows.append({"spec": spec, "model": r["zoo_model"], "runtime": rt,
                             "precision": r["precision"], "batch": batch, "ms": ms,
                             "throughput": r["metric"] == "throughput_fps",
                             "shape": r.get("input_shape", ""), "source": os.path.basename(path)})
    return [r for r in rows if (not args.precision or r["precision"] == args.precision)
            and (not args.batch or r["batch"] == args.batch)]


def profiles(root):
    """{(id, mode): [paths]} of <root>/<id>/<mode>/<runtime>.json."""
    out = {}
    for p in sorted(glob.glob(os.path.join(root, "*", "*", "*.json"))):
        mode_dir = os.path.dirname(p)
        key = (os.path.basename(os.path.dirname(mode_dir)), os.path.basename(mode_dir))
        out.setdefault(key, []).append(p)
    return out


def make_dir(tmp, profs, leave_out):
    """A calibration folder holding every profile but those whose key is in leave_out."""
    d = tempfile.mkdtemp(dir=tmp)
    for key, paths in profs.items():
        if key in leave_out:
            continue
        for p in paths:
            dst = os.path.join(d, key[0], key[1])
            os.makedirs(dst, exist_ok=True)
            os.symlink(os.path.abspath(p), os.path.join(dst, os.path.basename(p)))
    return d


ZOO_INPUT = {}


def shape_args(cli, row):
    """--input-shape for a row at another input size or sequence length than the zoo model's
    (the fit and validate build the graph at the row's shape too); [] when it is the zoo's."""
    if "x" not in row.get("shape", ""):
        return []
    if row["model"] not in ZOO_INPUT:
        p = subprocess.run([cli, "profile", row["model"], "--format", "json"], capture_output=True, text=True)
        ins = json.loads(p.stdout).get("inputs", []) if p.returncode == 0 else []
        ZOO_INPUT[row["model"]] = (ins[0]["name"], ins[0]["shape"]) if ins else None
    zi = ZOO_INPUT[row["model"]]
    tail = row["shape"].split("x")[1:]
    if not zi or [str(d) for d in zi[1][1:]] == tail:
        return []
    return ["--input-shape", "%s=%s" % (zi[0], "x".join([str(row["batch"])] + tail))]


def estimate(cli, row, caldir, extra, env0):
    env = dict(env0, GRAPHS_CALIBRATION_DIR=caldir, GRAPHS_CALIBRATION_PATH="")
    cmd = [cli, "estimate", row["model"], "--hw", row["spec"], "--precision", row["precision"],
           "--runtime", row["runtime"], "--format", "json"] + extra
    sa = shape_args(cli, row)
    cmd += sa if sa else ["--batch", str(row["batch"])]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode:
        return None
    return json.loads(p.stdout)


def ape(est, row):
    if not est:
        return None
    if row.get("throughput"):
        tp = est.get("throughput_per_s") or 0
        if not tp > 0:
            return None
        pred = 1000.0 * row["batch"] / tp
    else:
        pred = est["latency_ms"]
    return abs(pred - row["ms"]) / row["ms"] * 100


def hw_class(cli, hw_id, cache):
    if hw_id not in cache:
        p = subprocess.run([cli, "hw", "show", hw_id, "--format", "json"], capture_output=True, text=True)
        cache[hw_id] = json.loads(p.stdout)["class"] if p.returncode == 0 else "?"
    return cache[hw_id]


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else float("nan")


def score(cli, rows, caldir, full, env, label, results):
    th, tr, ca, donors = [], [], [], set()
    for r in rows:
        t = estimate(cli, r, caldir, ["--no-calibration"], env)
        x = estimate(cli, r, caldir, [], env)
        c = estimate(cli, r, full, [], env)
        if ape(t, r) is None or ape(x, r) is None:
            continue
        th.append(ape(t, r))
        if x["confidence"] in ("transferred", "theoretical"):
            tr.append(ape(x, r))
            donors.add(x.get("borrowed_from") or "none: theoretical")
        ca.append(ape(c, r))
    results.append({"evaluation": label, "rows": len(th), "theoretical_mape": mean(th),
                    "transferred_mape": mean(tr), "calibrated_mape": mean(ca),
                    "donors": sorted(donors)})
    return th, tr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default="build/graphs")
    ap.add_argument("--groundtruth", default="../shared/groundtruth")
    ap.add_argument("--published", default="data/published")
    ap.add_argument("--calibration", default="calibration")
    ap.add_argument("--precision")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--platforms", help="only the platform ids this Python regular expression matches")
    ap.add_argument("--json")
    args = ap.parse_args()
    if not os.access(args.cli, os.X_OK) or not os.path.isdir(args.calibration):
        print(f"transfer_lopo: {args.cli} or {args.calibration}: not found", file=sys.stderr)
        return 2
    rows = read_rows(args)
    if args.platforms:
        rows = [r for r in rows if re.search(args.platforms, r["spec"].split(":")[0])]
    profs = profiles(args.calibration)
    tmp = tempfile.mkdtemp(prefix="graphs-lopo-")
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "xdg"))
    classes, results, per_class = {}, [], {}
    try:
        full = make_dir(tmp, profs, set())
        for hw_id in sorted({k[0] for k in profs}):
            mine = [r for r in rows if r["spec"].split(":")[0] == hw_id]
            if not mine:
                continue
            cls = hw_class(args.cli, hw_id, classes)
            keys = {k for k in profs if k[0] == hw_id}
            th, tr = score(args.cli, mine, make_dir(tmp, profs, keys), full, env,
                           f"{cls} {hw_id}: leave-one-platform-out", results)
            per_class.setdefault(cls, ([], []))
            per_class[cls][0].extend(th)
            per_class[cls][1].extend(tr)
            if len(keys) > 1:  # several modes: each from the others
                for key in sorted(keys):
                    spec = hw_id if key[1] == "default" else f"{hw_id}:{key[1]}"
                    sub = [r for r in mine if r["spec"] == spec]
                    if sub:
                        score(args.cli, sub, make_dir(tmp, profs, {key}), full, env,
                              f"{cls} {spec}: leave-one-mode-out", results)
        # platforms measured but never calibrated: what transfer gives them
        for hw_id in sorted({r["spec"].split(":")[0] for r in rows} - {k[0] for k in profs}):
            mine = [r for r in rows if r["spec"].split(":")[0] == hw_id]
            cls = hw_class(args.cli, hw_id, classes)
            score(args.cli, mine, full, full, env, f"{cls} {hw_id}: uncalibrated", results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'evaluation':58} {'rows':>5} {'theor.':>8} {'transf.':>8} {'calib.':>8}  donor")
    for r in results:
        if not r["rows"]:
            continue
        print(f"{r['evaluation']:58} {r['rows']:5d} {r['theoretical_mape']:7.1f}% {r['transferred_mape']:7.1f}%"
              f" {r['calibrated_mape']:7.1f}%  {'; '.join(r['donors'])}")
    for cls, (th, tr) in sorted(per_class.items()):
        print(f"class {cls}: leave-one-platform-out MAPE theoretical {mean(th):.1f}%, transferred "
              f"{mean(tr):.1f}% over {len(th)} rows")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Leave-one-precision-out on the ground truth: for each measured platform and precision P, fit a
profile from the other precisions' rows only, then estimate every model measured at P with it
(the profile lends its nearest precision's fit, 'transferred') and without any profile
(theoretical). Prints the MAPE of both against the measured latencies.
usage: tools/precision_lopo.py [build/graphs] [groundtruth dir]"""
import csv, json, os, subprocess, sys, tempfile

cli = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/graphs")
gt = sys.argv[2] if len(sys.argv) > 2 else "../shared/groundtruth"
specs = {"intel_core_i7_12700k": "intel_core_i7_12700k", "jetson_orin_15w": "jetson_orin_agx_gpu:15w",
         "jetson_orin_30w": "jetson_orin_agx_gpu:30w", "jetson_orin_50w": "jetson_orin_agx_gpu:50w",
         "jetson_orin_maxn": "jetson_orin_agx_gpu:maxn"}


def rows(name):
    with open(os.path.join(gt, name), newline="") as f:
        r = csv.reader(f)
        head = next(r)
        return head, list(r)


def write(path, head, body):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(body)


def estimate(model, spec, prec, batch, extra):
    out = subprocess.run([cli, "estimate", model, "--hw", spec, "--precision", prec, "--batch", str(batch),
                          "--format", "json"] + extra, capture_output=True, text=True)
    if out.returncode:
        return None, None
    d = json.loads(out.stdout)
    return d["latency_ms"], d["confidence"]


mh, mrows = rows("models.csv")
sh, srows = rows("subgraphs.csv")
tmpdir = tempfile.TemporaryDirectory()  # removed at exit
tmp = tmpdir.name
total = {"lent": [], "theoretical": []}
print("%-26s %-5s %-5s %5s %12s %14s" % ("platform", "left", "lent", "rows", "lent MAPE%", "theoretical%"))
for hwname, spec in specs.items():
    precs = sorted({r[1] for r in mrows if r[0] == hwname})
    for p in precs:
        keep_m = [r for r in mrows if not (r[0] == hwname and r[1] == p)]
        keep_s = [r for r in srows if not (r[0] == hwname and r[1] == p)]
        fm, fs, prof = (os.path.join(tmp, n) for n in ("m.csv", "s.csv", "p.json"))
        write(fm, mh, keep_m)
        write(fs, sh, keep_s)
        fit = subprocess.run([cli, "calibrate", "--hw", spec, "--runtime", "pytorch", "--from", fm, "--from", fs,
                              "--out", prof, "--no-lomo"], capture_output=True, text=True)
        if fit.returncode:
            print("%-26s %-5s calibrate failed: %s" % (spec, p, fit.stderr.strip()[:200]))
            continue
        err = {"lent": [], "theoretical": []}
        lent_from = "-"
        for r in mrows:
            if r[0] != hwname or r[1] != p:
                continue
            meas = float(r[6])
            a, conf = estimate(r[2], spec, p, r[3], ["--profile", prof])
            b, _ = estimate(r[2], spec, p, r[3], ["--no-calibration"])
            if a is None or b is None:
                continue
            if conf == "transferred":
                lent_from = "yes"
            elif lent_from == "-":
                lent_from = "no"
            err["lent"].append(abs(a - meas) / meas)
            err["theoretical"].append(abs(b - meas) / meas)
        for k in err:
            total[k] += err[k]
        n = len(err["lent"])
        if n:
            print("%-26s %-5s %-5s %5d %12.1f %14.1f" % (spec, p, lent_from, n, 100 * sum(err["lent"]) / n,
                                                          100 * sum(err["theoretical"]) / n))
n = len(total["lent"])
if n:
    print("all %d rows: with the lent precision %.1f%%, theoretical %.1f%%" %
          (n, 100 * sum(total["lent"]) / n, 100 * sum(total["theoretical"]) / n))

#!/usr/bin/env python3
"""Physics check of the registry's peaks against the published measurements.

No measurement can beat its platform's datasheet peak, so a published row whose implied rate
(the model's FLOPs at the row's input shape / the measured time) is above the registry's peak at
that precision and mode proves the registry's peak (its clock, usually) wrong, or the row
mis-mapped. For every row of data/published/*.csv the fits use (pubcommon.fit_uses, with a
precision the estimator knows) this computes

  latency rows at batch 1:  rate = FLOPs(input_shape) / latency
  throughput rows:          rate = FLOPs(input_shape) / batch x images per second

and compares it with `graphs hw show ID[:MODE] --format json` peak_tops at the row's precision
("amp" -> fp16; fp32 on a GPU with a tf32 peak -> tf32, the runtimes' default for convolutions). A precision the platform does not run natively (emulated fp16 on a CPU) is
bounded by the fastest native floating-point peak, as the runtime computes it in some native
type. On hybrid CPUs (P + E engines summed) a second ratio is given against the share the
estimator uses (every core at the pace of the slowest: units x slowest per-unit rate); a row
above that share shows the slower engine's clock too low for the estimator, though not above
the datasheet peak. Latency rows at batch > 1 are left out (sources differ on whether they time the batch or
one image). FLOPs come from `graphs profile` (2 x MACs).

Rows at or above --above (default 0.9) of the peak are listed, highest first. With --fail,
the exit status is 1 when a row of a class given by --classes (default cpu,gpu) exceeds 1.0x
its peak and is not in tools/peak_check_allow.csv (--allow: rows explained otherwise, each with
a reason; an empty field matches anything; docs/hardware.md, "Peaks against published
measurements").

usage: peak_check.py [--cli build/graphs] [--above 0.9] [--classes cpu,gpu] [--fail]
                     [--allow CSV] [--platforms REGEX] [--format table|csv]
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "published"))
from pubcommon import fit_uses  # noqa: E402

KNOWN = ("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4", "fp4", "amp")
FLOATS = ("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "fp4")
ALLOW = os.path.join(ROOT, "tools", "peak_check_allow.csv")


def run_json(cli, *args, soft=False):
    out = subprocess.run([cli] + list(args), capture_output=True, text=True)
    if out.returncode != 0:
        if soft:
            return None
        raise SystemExit("%s %s: %s" % (cli, " ".join(args), out.stderr.strip()[:300]))
    return json.loads(out.stdout)


def balanced_shares(d):
    """{precision: share of the summed peak usable when work is split in equal static chunks
    over P- and E-cores}, as src/estimation/mappers.c cpu_balanced_share (units x slowest
    per-unit rate / summed rate); empty unless a CPU sums two or more engines."""
    c = d.get("compute", {})
    engines = c.get("engines", [])
    if d.get("class") != "cpu" or c.get("combine") != "sum" or len(engines) < 2:
        return {}
    out = {}
    for q in set(k for e in engines for k in e.get("ops_per_clock", {})):
        rates = [(e.get("units", c.get("units", 1)), e["ops_per_clock"].get(q, 0) * e["clock_mhz"])
                 for e in engines if e.get("ops_per_clock", {}).get(q)]
        tot = sum(u * r for u, r in rates)
        if tot > 0:
            out[q] = sum(u for u, _ in rates) * min(r for _, r in rates) / tot
    return out


class Cache:
    def __init__(self, cli):
        self.cli, self.hw, self.inputs, self.flops = cli, {}, {}, {}

    def platform(self, rid, mode):
        key = rid + (":" + mode if mode else "")
        if key not in self.hw:
            d = run_json(self.cli, "hw", "show", rid, "--format", "json")
            peaks = d.get("peak_tops", {})
            if mode:
                m = [x for x in d.get("modes", []) if x["name"] == mode]
                if not m:
                    raise SystemExit("%s has no mode %r" % (rid, mode))
                peaks = m[0].get("peak_tops", peaks)
            self.hw[key] = (d["class"], peaks, d.get("precisions", {}).get("native", []),
                            balanced_shares(d))
        return self.hw[key]

    def model_flops(self, zoo, shape):
        if zoo not in self.inputs:
            d = run_json(self.cli, "profile", zoo, "--format", "json")
            self.inputs[zoo] = [i["name"] for i in d["inputs"]]
        key = (zoo, shape)
        if key not in self.flops:
            names = self.inputs[zoo]
            if len(names) == 1:
                args = ["--input-shape", "%s=%s" % (names[0], shape)]
            else:  # several inputs: bind the batch only
                args = ["--batch", shape.split("x")[0]]
            # a shape the zoo graph cannot take (ViT's fixed position table at 384x384):
            # the row is reported as not profiled, never guessed
            d = run_json(self.cli, "profile", zoo, *args, "--format", "json", soft=True)
            self.flops[key] = (d["flops"], d.get("lower_bound", False)) if d else (None, None)
        return self.flops[key]


def peak_for(prec, peaks, native, cls):
    """TFLOP/s bound for a row at precision prec, and the precision it was taken at."""
    p = "fp16" if prec == "amp" else prec
    # cuDNN, cuBLAS and TensorRT run fp32 convolutions and GEMMs on TF32 tensor cores by
    # default (Ampere and later), so an fp32 GPU row is bounded by the tf32 peak
    if p == "fp32" and cls == "gpu" and "tf32" in peaks:
        return peaks["tf32"], "tf32"
    if p in peaks:
        return peaks[p], p
    if p in FLOATS:  # emulated: computed in a native float type
        best = max(((peaks[q], q) for q in FLOATS if q in peaks), default=(None, None))
        return best
    return None, None


def load_allow(path=ALLOW):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["registry_id"].startswith("#")]
    for r in rows:
        if not r.get("reason", "").strip():
            raise SystemExit("%s: row %s has no reason" % (path, r))
    return rows


def allowed(r, allow):
    for a in allow:
        if all(not a[k] or a[k] == r[k] for k in
               ("registry_id", "mode", "runtime", "precision", "zoo_model", "batch", "metric")):
            return a["reason"]
    return None


def check(cli, platforms=None, skipped=None):
    """Every fit-used row with its implied rate, peak and ratio (list of dicts); rows whose
    model graphs cannot profile at the row's shape go to skipped."""
    c = Cache(cli)
    out = []
    skipped = [] if skipped is None else skipped
    for path in sorted(glob.glob(os.path.join(ROOT, "data", "published", "*.csv"))):
        with open(path, newline="") as fh:
            for r in csv.DictReader(fh):
                if not fit_uses(r) or r["precision"] not in KNOWN:
                    continue
                if platforms and not re.search(platforms, r["registry_id"]):
                    continue
                batch, value = int(r["batch"]), float(r["value"])
                if r["metric"] == "latency_ms" and batch != 1:
                    continue
                if value <= 0:
                    continue
                cls, peaks, native, shares = c.platform(r["registry_id"], r["mode"])
                peak, at = peak_for(r["precision"], peaks, native, cls)
                if not peak:
                    continue
                flops, lower = c.model_flops(r["zoo_model"], r["input_shape"])
                if flops is None:
                    skipped.append("%s %s" % (r["zoo_model"], r["input_shape"]))
                    continue
                if r["metric"] == "latency_ms":
                    rate = flops / (value * 1e-3)
                else:
                    rate = flops / batch * value
                out.append(dict(r, file=os.path.basename(path), cls=cls, flops=flops,
                                lower=lower, rate_tops=rate / 1e12, peak_tops=peak, peak_at=at,
                                ratio=rate / 1e12 / peak,
                                balanced=rate / 1e12 / (peak * shares[at]) if at in shares else None))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "graphs"))
    ap.add_argument("--above", type=float, default=0.9)
    ap.add_argument("--classes", default="cpu,gpu")
    ap.add_argument("--platforms", help="regex on registry_id")
    ap.add_argument("--fail", action="store_true")
    ap.add_argument("--allow", default=ALLOW, help="rows explained otherwise (CSV; empty field = any)")
    ap.add_argument("--format", choices=("table", "csv"), default="table")
    a = ap.parse_args()
    skipped = []
    rows = check(a.cli, a.platforms, skipped)
    allow = load_allow(a.allow)
    flagged = sorted((r for r in rows if r["ratio"] >= a.above), key=lambda r: -r["ratio"])
    classes = set(a.classes.split(","))
    bad = []
    w = csv.writer(sys.stdout) if a.format == "csv" else None
    if w:
        w.writerow(["class", "registry_id", "mode", "runtime", "precision", "zoo_model", "batch",
                    "input_shape", "metric", "value", "gflop", "implied_tops", "peak_tops",
                    "peak_at", "ratio", "ratio_balanced", "allowed"])
    else:
        print("%d fit-used rows checked; %d at >= %.2fx peak; %d not profiled (%s)" % (
            len(rows), len(flagged), a.above, len(skipped), ", ".join(sorted(set(skipped)))))
    for r in flagged:
        why = allowed(r, allow)
        if r["ratio"] > 1.0 and r["cls"] in classes and not why:
            bad.append(r)
        if w:
            w.writerow([r["cls"], r["registry_id"], r["mode"], r["runtime"], r["precision"],
                        r["zoo_model"], r["batch"], r["input_shape"], r["metric"], r["value"],
                        "%.2f" % (r["flops"] / 1e9), "%.4g" % r["rate_tops"],
                        "%.4g" % r["peak_tops"], r["peak_at"], "%.3f" % r["ratio"],
                        "%.3f" % r["balanced"] if r["balanced"] else "", why or ""])
        else:
            print("%5.2fx %-4s %-28s %-22s %-5s %-18s b%-3s %s %s = %.4g TOP/s vs %.4g (%s)%s%s" % (
                r["ratio"], r["cls"], r["registry_id"] + (":" + r["mode"] if r["mode"] else ""),
                r["runtime"][:22], r["precision"], r["zoo_model"], r["batch"], r["metric"],
                r["value"], r["rate_tops"], r["peak_tops"], r["peak_at"],
                "; %.2fx the balanced P+E share" % r["balanced"] if r["balanced"] else "",
                "  [allowed: %s]" % why[:60] if why else ""))
    if a.fail and bad:
        print("FAIL: %d row(s) of class %s above their platform's peak and not allowed"
              % (len(bad), a.classes), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

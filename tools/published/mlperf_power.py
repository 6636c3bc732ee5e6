#!/usr/bin/env python3
"""Fills power_w of data/published/mlperf_inference_<round>.csv from the MLPerf power logs.

A MaxQ (power) run keeps the analyzer's samples in performance/run_1/spl.txt and the
loadgen's window in mlperf_log_detail.txt (power_begin, power_end). The figure MLCommons
publishes is the mean of the "Watts" samples inside that window: wall power of the whole
system under test (host, fans, power supplies, every accelerator), not the device's.
This script computes that mean and writes it to power_w for the rows whose run has a
spl.txt; other rows are left as they are.

Usage: mlperf_power.py REPO_DIR [CSV]   (REPO_DIR: a checkout or bare mirror of
mlcommons/inference_results_<round> at the commit named in the CSV's source column; the
round, v1.1 or v1.0, is read from REPO_DIR's path, v1.1 when it names none)
"""
import csv
import datetime
import json
import os
import re
import subprocess
import sys

def read_text(repo, commit, path):
    if os.path.isfile(os.path.join(repo, path)):
        with open(os.path.join(repo, path), encoding="utf-8", errors="replace") as f:
            return f.read()
    r = subprocess.run(["git", "--git-dir", repo, "show", f"{commit}:{path}"],
                       capture_output=True, text=True, errors="replace")
    return r.stdout if r.returncode == 0 else None

def stamp(s):
    return datetime.datetime.strptime(s.strip(), "%m-%d-%Y %H:%M:%S.%f")

def window(detail):
    begin = end = None
    for line in detail.splitlines():
        if not line.startswith(":::MLLOG"):
            continue
        rec = json.loads(line[len(":::MLLOG"):])
        if rec.get("key") == "power_begin":
            begin = stamp(rec["value"])
        elif rec.get("key") == "power_end":
            end = stamp(rec["value"])
    return begin, end

def mean_power(spl, begin, end):
    watts = []
    for line in spl.splitlines():
        f = line.split(",")
        if len(f) < 4 or f[0] != "Time" or f[2] != "Watts":
            continue
        t = stamp(f[1])
        if begin <= t <= end:
            watts.append(float(f[3]))
    return sum(watts) / len(watts) if watts else None

def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    repo = sys.argv[1]
    m = re.search(r"inference_results_(v\d+\.\d+)", repo)
    rnd = m.group(1) if m else "v1.1"
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "../../data/published/mlperf_inference_%s.csv" % rnd)
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        fields, rows = rd.fieldnames, list(rd)
    filled = 0
    for row in rows:
        m = re.match(r"mlcommons/inference_results_%s (\S+)/mlperf_log_summary\.txt@([0-9a-f]{40})"
                     % re.escape(rnd), row["source"])
        if not m:
            continue
        run, commit = m.group(1), m.group(2)
        spl = read_text(repo, commit, run + "/spl.txt")
        detail = read_text(repo, commit, run + "/mlperf_log_detail.txt")
        if not spl or not detail:
            continue
        begin, end = window(detail)
        w = mean_power(spl, begin, end) if begin and end else None
        if w is None:
            print(f"no samples in the window: {run}", file=sys.stderr)
            continue
        row["power_w"] = f"{w:.2f}"
        filled += 1
    with open(path, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        wr.writeheader()
        wr.writerows(rows)
    print(f"{filled} rows with power_w in {path}", file=sys.stderr)

if __name__ == "__main__":
    main()

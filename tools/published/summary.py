#!/usr/bin/python3
"""Print the summary tables of data/published/README.md from the CSVs there.

    /usr/bin/python3 tools/published/summary.py [--check]

--check: also verify every CSV against the column contract (pubcommon.check_rows), that no
job feeds two mapped platforms (pubcommon.jobs_counted_once) and that it is sorted the way the
rebuild scripts write it.
"""
import collections
import csv
import glob
import os
import re
import sys

import pubcommon as pc

VENDORS = [  # hardware text -> vendor
    (r"Hailo", "Hailo"), (r"Rockchip|RK\d{4}|Radxa", "Rockchip"),
    (r"QUALCOMM|Qualcomm|Snapdragon|Dragonwing|QCS|SA\d{4}P|Samsung Galaxy", "Qualcomm"),
    (r"NVIDIA|Nvidia|Jetson|Xavier|Carmel", "NVIDIA"), (r"Intel|Flex 170|Arc A770", "Intel"),
    (r"Coral", "Google"),
    (r"Raspberry Pi 5 \(Broadcom|Raspberry Pi [45] .*Broadcom|BCM2835|Cortex-A72 MP4", "Broadcom/Raspberry Pi"),
    (r"AMD Ryzen", "AMD"), (r"MacBook", "Apple"), (r"MediaTek|Dimensity", "MediaTek"),
    (r"Sony", "Sony"), (r"Centaur", "Centaur"), (r"DNA-F200|Edgecortix", "EdgeCortix"),
    (r"Warboy", "FuriosaAI"), (r"Neoverse|Cortex-A72 MP2", "Arm"),
]


def vendor(hw):
    for pat, v in VENDORS:
        if re.search(pat, hw):
            return v
    return "?"


def load():
    out = {}
    for path in sorted(glob.glob(os.path.join(pc.ROOT, "data", "published", "*.csv"))):
        with open(path, newline="") as fh:
            out[os.path.basename(path)] = list(csv.DictReader(fh))
    return out


def check(data):
    for name, rows in data.items():
        pc.check_rows(rows)
        pc.jobs_counted_once(rows)
        if rows != sorted(rows, key=pc.sort_key):
            raise SystemExit("%s is not sorted as the rebuild scripts write it" % name)
    print("all %d CSVs pass the column contract and are sorted" % len(data))


def main():
    data = load()
    if "--check" in sys.argv[1:]:
        check(data)
    print("| file | rows | rows with a zoo model | rows with a registry id |")
    print("|---|---:|---:|---:|")
    for name, rows in data.items():
        print("| %s | %d | %d | %d |" % (name, len(rows), sum(1 for r in rows if r["zoo_model"]),
                                        sum(1 for r in rows if r["registry_id"])))
    print()
    print("| registry_id | runtime | precision | rows | zoo rows | zoo models | sources |")
    print("|---|---|---|---:|---:|---|---|")
    agg = collections.defaultdict(lambda: [0, 0, set(), set()])
    for name, rows in data.items():
        for r in rows:
            if not r["registry_id"]:
                continue
            a = agg[(r["registry_id"], r["runtime"], r["precision"])]
            a[0] += 1
            if r["zoo_model"]:
                a[1] += 1
                a[2].add(r["zoo_model"])
            a[3].add(name[:-4])
    for k in sorted(agg):
        a = agg[k]
        print("| %s | %s | %s | %d | %d | %s | %s |" % (k + (a[0], a[1], " ".join(sorted(a[2])) or "-",
                                                           " ".join(sorted(a[3])))))
    print()
    pairs = collections.defaultdict(int)
    vend = collections.defaultdict(set)
    for name, rows in data.items():
        for r in rows:
            pairs[(vendor(r["hardware"]), r["registry_id"] or "-", r["hardware"], r["runtime"])] += 1
            vend[vendor(r["hardware"])].add(r["hardware"])
    print("(platform, runtime) pairs: %d, with a registry id: %d; hardware strings: %d; vendors: %d"
          % (len(pairs), sum(1 for k in pairs if k[1] != "-"),
             len({k[2] for k in pairs}), len(vend)))
    print()
    print("| vendor | hardware strings | rows |")
    print("|---|---:|---:|")
    for v in sorted(vend):
        print("| %s | %d | %d |" % (v, len(vend[v]), sum(n for k, n in pairs.items() if k[0] == v)))


if __name__ == "__main__":
    main()

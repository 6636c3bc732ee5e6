"""Shared helpers for the data/published/ rebuild scripts (standard library only).

Every script reads one fetched bare git mirror (the path given as its argument),
takes text from one commit with `git show`, and writes one CSV with the columns
below, sorted so that a rebuild from the same commit is byte-identical.
"""
import csv
import io
import os
import re
import subprocess
import sys

COLUMNS = ["hardware", "registry_id", "mode", "runtime", "precision", "model",
           "zoo_model", "mapping", "batch", "input_shape", "metric", "value",
           "power_w", "source"]

MAPPINGS = ("torchvision_exact", "same_arch", "different", "")
METRICS = ("latency_ms", "throughput_fps")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def git(repo, *args):
    """Run git against the mirror and return stdout as text."""
    out = subprocess.run(["git", "-C", repo] + list(args), capture_output=True,
                         text=True, check=True)
    return out.stdout


def resolve_commit(repo, rev="HEAD"):
    return git(repo, "rev-parse", rev + "^{commit}").strip()


def show(repo, commit, path):
    return git(repo, "show", "%s:%s" % (commit, path))


def ls_tree(repo, commit, prefix=""):
    args = ["ls-tree", "-r", "--name-only", commit]
    if prefix:
        args += ["--", prefix]
    return [p for p in git(repo, *args).splitlines() if p]


def registry_ids():
    """Ids of hardware/*/*.yaml in this checkout (to catch typos in the maps)."""
    ids = set()
    hw = os.path.join(ROOT, "hardware")
    for sub in sorted(os.listdir(hw)):
        d = os.path.join(hw, sub)
        if not os.path.isdir(d):
            continue
        for f in os.listdir(d):
            if f.endswith(".yaml"):
                ids.add(f[:-5])
    return ids


def zoo_names():
    path = os.path.join(ROOT, "models", "zoo.csv")
    with open(path, newline="") as fh:
        return {row["name"] for row in csv.DictReader(fh)}


def is_number(text):
    return re.fullmatch(r"[0-9]+(\.[0-9]+)?", text or "") is not None


def check_rows(rows):
    """Refuse rows that break the column contract rather than write them."""
    reg = registry_ids()
    zoo = zoo_names()
    for r in rows:
        where = "%s / %s / %s" % (r.get("hardware"), r.get("model"), r.get("source"))
        if set(r) != set(COLUMNS):
            raise SystemExit("row has columns %s: %s" % (sorted(r), where))
        if r["registry_id"] and r["registry_id"] not in reg:
            raise SystemExit("unknown registry id %r: %s" % (r["registry_id"], where))
        if r["zoo_model"] and r["zoo_model"] not in zoo:
            raise SystemExit("unknown zoo model %r: %s" % (r["zoo_model"], where))
        if r["mapping"] not in MAPPINGS or bool(r["mapping"]) != bool(r["zoo_model"]):
            raise SystemExit("bad mapping %r for zoo %r: %s" % (r["mapping"], r["zoo_model"], where))
        if r["metric"] not in METRICS:
            raise SystemExit("bad metric %r: %s" % (r["metric"], where))
        if not is_number(r["value"]):
            raise SystemExit("value %r is not a plain number: %s" % (r["value"], where))
        # empty batch: the source leaves it to the runtime (MLPerf Offline), see README
        if not re.fullmatch(r"[0-9]*", r["batch"]):
            raise SystemExit("batch %r is not an integer: %s" % (r["batch"], where))


def jobs_counted_once(rows):
    """Refuse a measurement that feeds the fits twice: a source naming its job ("job ID")
    under two hardware strings that both carry a registry id (AI Hub reports a mirror device's
    results under the job ids of the device it mirrors; see README, Qualcomm AI Hub)."""
    seen = {}
    for r in rows:
        m = re.search(r"\(job (\w+)", r["source"])
        if not r["registry_id"] or not m:
            continue
        key = (m.group(1), r["runtime"], r["precision"], r["model"], r["metric"])
        other = seen.setdefault(key, r["hardware"])
        if other != r["hardware"]:
            raise SystemExit("job %s is mapped under both %r and %r: one measurement would count "
                             "twice" % (m.group(1), other, r["hardware"]))


def sort_key(r):
    return (r["hardware"], r["runtime"], r["precision"], r["model"], int(r["batch"] or -1),
            r["input_shape"], r["metric"], r["source"], r["value"])


def write_csv(rows, out_path):
    check_rows(rows)
    jobs_counted_once(rows)
    rows = sorted(rows, key=sort_key)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    with open(out_path, "w", newline="") as fh:
        fh.write(buf.getvalue())
    return len(rows)


def row(**kw):
    r = {c: "" for c in COLUMNS}
    for k, v in kw.items():
        if k not in r:
            raise KeyError(k)
        r[k] = "" if v is None else str(v)
    return r


def main_args(default_out):
    """Parse `script.py MIRROR [--commit REV] [--out CSV]`."""
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print("usage: %s MIRROR_GIT_DIR [--commit REV] [--out CSV]" % os.path.basename(sys.argv[0]))
        print("default output: %s" % default_out)
        raise SystemExit(0 if args else 2)
    repo = args[0]
    commit = "HEAD"
    out = default_out
    i = 1
    while i < len(args):
        if args[i] == "--commit" and i + 1 < len(args):
            commit = args[i + 1]
            i += 2
        elif args[i] == "--out" and i + 1 < len(args):
            out = args[i + 1]
            i += 2
        else:
            raise SystemExit("unknown argument %r" % args[i])
    return repo, resolve_commit(repo, commit), out


def out_path(name):
    return os.path.join(ROOT, "data", "published", name)


def runtime_key(runtime):
    """The canonical runtime name graphs uses ("tflite_edgetpu (libedgetpu1-std)" ->
    "tflite_edgetpu_libedgetpu1_std")."""
    return re.sub(r"[^a-z0-9]+", "_", (runtime or "").lower()).strip("_")


def fit_uses(r):
    """True when fits to published figures use row r (a dict of COLUMNS), as src/calibration
    does: a registry platform and a zoo model mapped torchvision_exact or same_arch, a batch, and
    the step on the row's own unit. A source with layer_counts on another unit than the one the
    hardware column ends with (a CPU fallback) or ending its citation with "; placement partly
    on the host" times other work (gr_meas_row.layers_elsewhere in src/calibration/meas.c)."""
    if not r.get("registry_id") or not r.get("zoo_model") or not r.get("batch"):
        return False
    if r.get("mapping") not in ("torchvision_exact", "same_arch"):
        return False
    src = r.get("source", "")
    if "; placement partly on the host" in src:
        return False
    lc = re.search(r"layer_counts ([^;)]*)", src)
    unit = r["hardware"].rsplit(" ", 1)[-1].lower()
    return not (lc and any(k not in ("total", unit) and int(n) > 0
                           for k, n in re.findall(r"([a-z]+) (\d+)", lc.group(1))))

#!/usr/bin/env bash
# graphs profile on big graphs vs Python's onnx.load + onnx.shape_inference.infer_shapes on
# the same files: swin_s from the zoo (13,871 nodes, weightless; exported by
# tools/export_zoo.py into models/ when missing) and weightless chains of 10k, 50k and 200k nodes
# (bench/gen_chain.py). Prints, per file, the best of several runs as wall time and as CPU
# time (user + system, whole process, start-up included; the figure a loaded machine leaves
# alone), with and without OPENBLAS_NUM_THREADS=1/OMP_NUM_THREADS=1, the ratios and the cost
# per node. Targets (#14): swin_s profiled >= 30x faster than Python and in under 20 ms,
# JSON at most 1.3x the table, cost linear in nodes (per-node cost from 50k to 200k at most
# 1.5x that from 10k to 50k). Exits 1 when one is missed (judged on CPU time).
# Usage: bench/big_graphs.sh [build/graphs] [repetitions, default 10]
set -euo pipefail
cli=${1:-build/graphs}
reps=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
swin=$here/../models/swin_s.onnx
[ -f "$swin" ] || /usr/bin/python3 "$here/../tools/export_zoo.py" swin_s  # into models/
for n in 10000 50000 200000; do
	/usr/bin/python3 "$here/gen_chain.py" "$n" "$tmp/chain$n.onnx"
done
/usr/bin/python3 - "$cli" "$reps" "$swin" "$tmp"/chain10000.onnx "$tmp"/chain50000.onnx \
	"$tmp"/chain200000.onnx <<'PY'
import os, resource, subprocess, sys, time
import onnx, onnx.shape_inference

cli, reps, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def graphs(path, fmt, env, n):
    wall, cpu = [], []
    for _ in range(n):
        c, t = child_cpu(), time.perf_counter()
        subprocess.run([cli, "profile", path, "--format", fmt], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t); cpu.append(child_cpu() - c)
    return min(wall), min(cpu)

def python(path, n):
    wall, cpu = [], []
    for _ in range(n):
        c, t = time.process_time(), time.perf_counter()
        onnx.shape_inference.infer_shapes(onnx.load(path, load_external_data=False))
        wall.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    return min(wall), min(cpu)

one = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
envs = [("default", dict(os.environ)), ("1 thread", one)]
print(f"load average: {os.getloadavg()[0]:.1f} (CPUs: {os.cpu_count()}); best of {reps} runs "
      "(of 2 to 3 for the 200k chain and Python's big files); ms as wall / CPU")
rows, res = [], {}
for path in files:
    nodes = len(onnx.load(path, load_external_data=False).graph.node)
    big = nodes > 60000
    py = python(path, 2 if nodes > 20000 else 3)
    for label, env in envs:
        tab = graphs(path, "table", env, 3 if big else reps)
        js = graphs(path, "json", env, 3 if big else reps)
        res[(os.path.basename(path), label)] = (nodes, py, tab, js)
        print(f"{os.path.basename(path):18s} {nodes:7d} nodes  {label:8s}  python {py[0]*1e3:8.1f} / "
              f"{py[1]*1e3:8.1f}  table {tab[0]*1e3:7.1f} / {tab[1]*1e3:7.1f}  json {js[0]*1e3:7.1f} / "
              f"{js[1]*1e3:7.1f}  python/table {py[1]/tab[1]:5.1f}x  json/table {js[1]/tab[1]:4.2f}")
fail = []
for label, _ in envs:
    sw = res[(os.path.basename(files[0]), label)]
    ratio, ms = sw[1][1] / sw[2][1], sw[2][1] * 1e3
    ok = ratio >= 30 and ms < 20
    print(f"[{label}] swin_s: {ratio:.1f}x Python, {ms:.1f} ms CPU (target >= 30x, < 20 ms): "
          f"{'ok' if ok else 'MISSED'}")
    if not ok and label == "default": fail.append("swin_s speed")
    worst = max(r[3][1] / r[2][1] for k, r in res.items() if k[1] == label)
    print(f"[{label}] json/table, worst file: {worst:.2f} (target <= 1.3): "
          f"{'ok' if worst <= 1.3 else 'MISSED'}")
    if worst > 1.3 and label == "default": fail.append("json/table")
    c = [res[(os.path.basename(p), label)] for p in files[1:]]
    for fmt, i in (("table", 2), ("json", 3)):
        s1 = (c[1][i][1] - c[0][i][1]) / (c[1][0] - c[0][0])
        s2 = (c[2][i][1] - c[1][i][1]) / (c[2][0] - c[1][0])
        ok = s2 <= 1.5 * s1
        print(f"[{label}] {fmt} per node: {s1*1e6:.2f} us (10k-50k), {s2*1e6:.2f} us (50k-200k), "
              f"ratio {s2/s1:.2f} (target <= 1.5): {'ok' if ok else 'MISSED'}")
        if not ok and label == "default": fail.append(f"linear {fmt}")
print("targets missed: " + ", ".join(fail) if fail else "all targets met")
sys.exit(1 if fail else 0)
PY

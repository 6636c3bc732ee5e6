#!/usr/bin/env bash
# Start-up cost of the CLI against the commit before the library split (libgraphs-bench, #14):
# `graphs --help`, `graphs profile resnet50` and `graphs estimate resnet50 --hw nvidia_t4`, each
# run REPS times by both binaries in turn; prints the median wall time and the median CPU time
# (user + sys of the child, which other load on the machine disturbs less) and their ratios;
# fails unless --help and profile take less CPU than before (#14).
# The baseline is built once from `git archive` of that commit into BUILD/startup_base_<rev>/.
# Usage: bench/startup.sh [CLI] [REPS] [BASE_REV]   (defaults: build/graphs 40 <parent of the split>)
set -euo pipefail
build=$(cd "$(dirname "${1:-build/graphs}")" && pwd)
reps=${2:-40}
src=$(git rev-parse --show-toplevel)
# the commit before cmake/bench.cmake appeared: the last one with everything in one library
rev=${3:-$(git -C "$src" log --diff-filter=A --format=%H -1 -- cmake/bench.cmake)^}
short=$(git -C "$src" rev-parse --short "$rev")
base=$build/startup_base_$short
if [ ! -x "$base/build/graphs" ]; then
	echo "building the baseline graphs at $short in $base (once)" >&2
	rm -rf "$base"
	mkdir -p "$base/src"
	git -C "$src" archive "$rev" | tar -x -C "$base/src"
	cmake -S "$base/src" -B "$base/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		${CMAKE_C_COMPILER_LAUNCHER:+-DCMAKE_C_COMPILER_LAUNCHER=$CMAKE_C_COMPILER_LAUNCHER} >/dev/null
	nice -n 10 cmake --build "$base/build" --target graphs -j2 >/dev/null
fi
cd "$src"
/usr/bin/python3 - "$base/build/graphs" "$build/graphs" "$reps" <<'PY'
import os, statistics, subprocess, sys, time
base, new, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
cmds = [["--help"], ["profile", "resnet50"], ["estimate", "resnet50", "--hw", "nvidia_t4"]]
missed = []
def once(exe, args):
    t0 = time.perf_counter()
    p = subprocess.Popen([exe] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{exe} {' '.join(args)} failed")
    return wall, ru.ru_utime + ru.ru_stime
print(f"baseline {base}\nnew      {new}\n{reps} runs each, interleaved; medians in ms\n")
print(f"{'command':40} {'wall base':>9} {'wall new':>9} {'ratio':>6}  {'cpu base':>9} {'cpu new':>9} {'ratio':>6}")
for args in cmds:
    once(base, args); once(new, args)  # warm the page cache
    r = {base: [], new: []}
    for _ in range(reps):
        for exe in (base, new):
            r[exe].append(once(exe, args))
    wb, wn = (statistics.median(w for w, _ in r[e]) * 1e3 for e in (base, new))
    cb, cn = (statistics.median(c for _, c in r[e]) * 1e3 for e in (base, new))
    print(f"{'graphs ' + ' '.join(args):40} {wb:9.1f} {wn:9.1f} {wb / wn:5.2f}x  {cb:9.1f} {cn:9.1f} "
          f"{cb / cn if cn else float('inf'):5.2f}x")
    if args[0] != "estimate" and cn >= cb:
        missed.append(" ".join(args))
if missed:
    sys.exit(f"MISSED: no less CPU than the baseline for graphs {', '.join(missed)}")
PY

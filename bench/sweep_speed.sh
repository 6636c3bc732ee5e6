#!/usr/bin/env bash
# Speed of `graphs sweep` (issue 13): every zoo model x every platform x 8 batch sizes x native
# precisions in one process, in points per second, against the target of 20,000 points/s and
# against the baseline of one plain estimate per point (bench_estimate_all: every zoo model on
# every platform through gr_estimate_run, as `graphs compare` does it). Prints wall-clock and
# CPU-time rates: on a shared machine the wall clock also counts other processes' work.
# Exits 1 when the wall-clock rate misses the target.
set -u
cli=${1:-build/graphs}
bench=$(dirname "$cli")/bench_estimate_all
tmp=$(mktemp -d /tmp/graphs_sweep_speed.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
target=20000

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
if [ -x "$bench" ]; then
	/usr/bin/time -f "%e %U %S" -o "$tmp/btime.txt" "$bench" >"$tmp/base.txt" 2>&1
	n=$(sed -n 's/.*estimates \([0-9]*\) .*/\1/p' "$tmp/base.txt")
	read -r bwall buser bsys < <(tail -1 "$tmp/btime.txt") # its own exit status is its 1 s budget
	base=$(python3 -c "print(round($n / $bwall))")
	base_cpu=$(python3 -c "print(round($n / ($buser + $bsys)))")
	echo "baseline: bench_estimate_all, one gr_estimate_run per point: $n estimates, $base/s wall," \
		"$base_cpu per CPU-second (whole process, loading included)"
else
	base=; base_cpu=
	echo "baseline: $bench not built (cmake --build build builds it)"
fi
/usr/bin/time -f "%e %U %S" -o "$tmp/time.txt" "$cli" sweep all --hw all --batch 1,2,4,8,16,32,64,128 \
	--precision native --format csv --out "$tmp/sweep.csv" --stats 2>"$tmp/stats.txt"
rc=$?
cat "$tmp/stats.txt"
[ $rc = 0 ] || { echo "FAIL graphs sweep exited $rc"; exit 1; }
read -r wall user sys < <(tail -1 "$tmp/time.txt")
points=$(($(wc -l <"$tmp/sweep.csv") - 1))
python3 - "$points" "$wall" "$user" "$sys" "${base:-0}" "${base_cpu:-0}" "$target" <<'PY'
import sys
points, wall, user, sys_, base, base_cpu, target = int(sys.argv[1]), *map(float, sys.argv[2:7]), int(sys.argv[7])
cpu = user + sys_
print(f"full sweep: {points} points in {wall:.2f} s wall ({points / wall:.0f} points/s), "
      f"{cpu:.2f} s CPU ({points / cpu:.0f} points per CPU-second), whole process (loading included)")
if base > 0 and base_cpu > 0:
    print(f"vs baseline: {points / wall / base:.1f}x the plain per-estimate rate on the wall clock, "
          f"{points / cpu / base_cpu:.1f}x per CPU-second")
ok = points / wall >= target
print(f"ratio to the {target} points/s target: {points / wall / target:.2f} wall, {points / cpu / target:.2f} CPU "
      f"({'ok' if ok else 'MISSED on the wall clock'})")
sys.exit(0 if ok else 1)
PY

# shellcheck shell=bash disable=SC2034 # sets variables for the script that sources it
# The start and the load accounting that bench/new_machine.sh and bench/unseen_cpu.sh share
# (sourced, never run). A script begins
#     set -u
#     . "$(dirname "$0")/lib/host_run.sh" "new machine" "${NEW_MACHINE_KEEP:-}" "$@"
# (its name for messages, the folder to keep its files in, empty for a temporary one removed on
# exit, then its own arguments) and gets
#   cli, here, torchpy  the CLI under test as an absolute path ($1 of the script, default
#                       build/graphs), bench/, and the Python with torch (GRAPHS_PYTHON)
#   tmp                 the files' folder; the script runs in $tmp/work with a fresh HOME and
#                       none of the caller's GRAPHS_* paths, XDG_CONFIG_HOME or OMP_NUM_THREADS
#   busy_start          remembers how much CPU time the whole machine has used, and when
#   busy_end            sets other: the CPUs other processes kept busy since busy_start (this
#                       shell's and its children's time taken out); call it, not $(busy_end)
# Without torch it prints "NAME: skip: ..." and exits 0.
run_name=$1 run_keep=$2
shift 2
cli=${1:-build/graphs}
case "$cli" in /*) ;; *) cli="$PWD/$cli" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
torchpy=${GRAPHS_PYTHON:-/usr/bin/python3}
if ! "$torchpy" -c 'import torch, torchvision' 2>/dev/null; then
	echo "$run_name: skip: $torchpy has no torch/torchvision"
	exit 0
fi
tmp=${run_keep:-$(mktemp -d "/tmp/graphs_${run_name// /_}.XXXXXX")}
mkdir -p "$tmp/work"
[ -n "$run_keep" ] || trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home"
unset XDG_CONFIG_HOME GRAPHS_CALIBRATION_PATH GRAPHS_HARDWARE_PATH OMP_NUM_THREADS
mkdir -p "$HOME"
cd "$tmp/work" || exit 1

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
busy_start() {
	busy_b0=$(busy)
	busy_t0=$(date +%s.%N)
}
busy_end() {
	local b1 t1 mine
	times >"$tmp/times" # in this shell: its own and its children's CPU time
	b1=$(busy)
	t1=$(date +%s.%N)
	mine=$(awk 'NR==2{split($1,u,/[ms]/); split($2,s,/[ms]/); print u[1]*60+u[2]+s[1]*60+s[2]}' "$tmp/times")
	other=$(awk -v b0="$busy_b0" -v b1="$b1" -v hz="$(getconf CLK_TCK)" -v m="$mine" -v t0="$busy_t0" \
		-v t1="$t1" 'BEGIN{o=((b1-b0)/hz-m)/(t1-t0); printf "%.2f", o<0?0:o}')
}

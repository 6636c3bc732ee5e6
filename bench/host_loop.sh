#!/usr/bin/env bash
# The host loop (issues 6 and 12): describe this machine, benchmark it, calibrate, and estimate
# zoo models it never ran within 10% of PyTorch. It has no procedure of its own any more: it is
# the README's new-machine flow (`graphs hw detect --save`, `graphs benchmark --hw host`,
# `graphs calibrate --hw host`) as bench/new_machine.sh runs and checks it, so that what is
# measured here is what a user gets. Env: HOST_LOOP_TEST (test models) and HOST_LOOP_KEEP (keep
# the files in DIR) are passed on as NEW_MACHINE_TEST and NEW_MACHINE_KEEP.
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${HOST_LOOP_TEST:-}" ] && export NEW_MACHINE_TEST="$HOST_LOOP_TEST"
[ -n "${HOST_LOOP_KEEP:-}" ] && export NEW_MACHINE_KEEP="$HOST_LOOP_KEEP"
[ -n "${HOST_LOOP_CAL:-}" ] && echo "host loop: HOST_LOOP_CAL is gone: the benchmark's default set is the calibration set"
exec bash "$here/new_machine.sh" "$@"

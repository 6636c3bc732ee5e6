#!/bin/sh
# Regenerates the shipped calibration profiles (calibration/<id>/<mode>/pytorch.json) from the
# ground truth (../shared/groundtruth: PyTorch eager on an i7-12700K and a Jetson AGX Orin at
# four power modes) with `graphs calibrate` itself, and writes each fit's report beside it.
# usage: tools/calibrate_groundtruth.sh [build/graphs] [groundtruth dir]
# The profile's date is the ground truth's newest row (SOURCE_DATE_EPOCH), so reruns on the
# same data give the same files.
set -eu
cli=${1:-build/graphs}
gt=${2:-../shared/groundtruth}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$gt/models.csv" ] && [ -f "$gt/subgraphs.csv" ] || { echo "no ground truth in $gt" >&2; exit 2; }
# 2026-02-07, the date of the measurements (models.csv 'date' column); override to re-date
: "${SOURCE_DATE_EPOCH:=$(date -u -d "$(cut -d, -f11 "$gt/models.csv" | grep -v '^date$' | sort | tail -1)" +%s 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
for spec in intel_core_i7_12700k jetson_orin_agx_gpu:15w jetson_orin_agx_gpu:30w jetson_orin_agx_gpu:50w \
	jetson_orin_agx_gpu:maxn; do
	id=${spec%%:*}
	mode=default
	case $spec in *:*) mode=${spec#*:} ;; esac
	dir="$root/calibration/$id/$mode"
	mkdir -p "$dir"
	# paths in the profile's provenance are relative to the repository root
	(cd "$root" && "$cli" calibrate --hw "$spec" --runtime pytorch --from "$gt/models.csv" \
		--from "$gt/subgraphs.csv" --out "calibration/$id/$mode/pytorch.json" --report) \
		>"$dir/pytorch.report.txt"
	echo "calibration/$id/$mode/pytorch.json"
done

#!/bin/sh
# Regenerates every calibration profile fitted from published figures (data/published/*.csv):
# one profile per (registry_id, mode, runtime), with a fit for each precision that has at least
# MIN_MODELS zoo models of the same network (mapping torchvision_exact or same_arch), written to
# calibration/<registry_id>/<mode or default>/<runtime>.json with the `graphs calibrate` table
# beside it (<runtime>.report.txt). Deterministic: the profiles' date is the last commit that
# changed data/published (SOURCE_DATE_EPOCH), and the same data gives the same files.
#
#   tools/calibrate_published.sh [build/graphs] [data/published] [calibration]
#
# Profiles of groups that no longer qualify are not deleted (a ground-truth profile may share
# the folder); the list of (platform, runtime) pairs written is printed at the end.
set -eu
GRAPHS=${1:-build/graphs}
DATA=${2:-data/published}
OUT=${3:-calibration}
MIN_MODELS=${MIN_MODELS:-4}
# a fit from one network family (five YOLO sizes) says little about other networks: a group
# also needs models of at least this many families (models/zoo.csv) in one precision
MIN_FAMILIES=${MIN_FAMILIES:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

[ -x "$GRAPHS" ] || { echo "calibrate_published: no graphs binary at $GRAPHS" >&2; exit 2; }
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct -- data/published 2>/dev/null || echo 0)
	[ -n "$SOURCE_DATE_EPOCH" ] || SOURCE_DATE_EPOCH=0
fi
export SOURCE_DATE_EPOCH
GRAPHS_CALIBRATION_PATH=/nonexistent; export GRAPHS_CALIBRATION_PATH
XDG_CONFIG_HOME=/nonexistent; export XDG_CONFIG_HOME

# registry_id|mode|runtime|csv files (comma-separated), for groups with a qualifying precision
/usr/bin/python3 - "$DATA" "$MIN_MODELS" "$MIN_FAMILIES" "$ROOT/models/zoo.csv" "${PAIRS:-}" "$ROOT/tools/published" \
	> "${TMPDIR:-/tmp}/calibrate_published.$$" <<'PY'
import csv, glob, os, re, sys
data, need, need_fam, pairs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[5]
sys.path.insert(0, sys.argv[6])
import pubcommon as pc
zoo = list(csv.DictReader(open(sys.argv[4], newline="")))
family = {r["name"]: r["family"] for r in zoo}
# rows at another input size or sequence length than the zoo model's count: the fit builds the
# zoo graph at the row's shape (a graph that cannot take it fails that group's fit, reported)
models, files = {}, {}
for path in sorted(glob.glob(os.path.join(data, "*.csv"))):
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            # the rows the fit keeps (pc.fit_uses): only they qualify a group
            if not pc.fit_uses(r):
                continue
            rt = pc.runtime_key(r["runtime"])
            key = (r["registry_id"], r["mode"], rt)
            models.setdefault(key + (r["precision"],), set()).add(r["zoo_model"])
            files.setdefault(key, set()).add(path)
groups = sorted({k[:3] for k, v in models.items()
                 if len(v) >= need and len({family.get(m, m) for m in v}) >= need_fam})
for g in groups:
    if pairs and not re.search(pairs, "%s/%s/%s" % (g[0], g[1] or "default", g[2])):
        continue
    print("|".join(g) + "|" + ",".join(sorted(files[g])))
PY
LIST="${TMPDIR:-/tmp}/calibrate_published.$$"
trap 'rm -f "$LIST"' EXIT
# Groups fitted but not shipped, each with its reason (the data stay in data/published), as
# " id|mode|runtime " entries; none at present.
NOT_SHIPPED=" "
pairs=0
failed=0
while IFS='|' read -r id mode rt csvs; do
	case "$NOT_SHIPPED" in *" $id|$mode|$rt "*) echo "not shipped $id $rt (see NOT_SHIPPED)"; continue ;; esac
	spec=$id
	dir=default
	if [ -n "$mode" ]; then spec="$id:$mode"; dir=$mode; fi
	mkdir -p "$OUT/$id/$dir"
	set --
	for f in $(echo "$csvs" | tr ',' ' '); do set -- "$@" --from "$f"; done
	if "$GRAPHS" calibrate "$@" --hw "$spec" --runtime "$rt" --min-models "$MIN_MODELS" \
		--out "$OUT/$id/$dir/$rt.json" > "$OUT/$id/$dir/$rt.report.txt" 2>"$LIST.err"; then
		pairs=$((pairs + 1))
		echo "calibrated $spec $rt"
	else
		failed=$((failed + 1))
		rm -f "$OUT/$id/$dir/$rt.report.txt"
		rmdir "$OUT/$id/$dir" "$OUT/$id" 2>/dev/null || true
		echo "FAILED $spec $rt: $(tail -1 "$LIST.err")" >&2
	fi
	rm -f "$LIST.err"
done < "$LIST"
echo "calibrate_published: $pairs (platform, runtime) profiles written, $failed failed"

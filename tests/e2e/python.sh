#!/usr/bin/env bash
# The Python package (python/, docs/python.md) over an installed libgraphs: `cmake --install`
# into a temporary prefix, a venv made with /usr/bin/python3 -m venv --system-site-packages,
# `pip install --no-build-isolation --no-index` of a copy of python/ (no network); then
# graphs.estimate/profile/compare/sweep/hw_list give exactly what the installed CLI's JSON
# says for the same queries, and bad input raises graphs.GraphsError with the library's message.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
build=$(cd "$(dirname "$cli")" && pwd)
src=$(pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ ! -x /usr/bin/python3 ]; then
	[ "${CI:-}" != true ] || fail "/usr/bin/python3 is missing (CI)"
	echo "skipped: /usr/bin/python3 is missing"; exit 0
fi
unset GRAPHS_DATA_DIR GRAPHS_MODELS_DIR GRAPHS_CALIBRATION_DIR GRAPHS_CALIBRATION_PATH \
	GRAPHS_HARDWARE_PATH GRAPHS_LIBRARY PYTHONPATH
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config # no user registry or profiles
mkdir -p "$HOME"

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
P=$tmp/prefix
libdir=$(dirname "$(find "$P" -name 'libgraphs.so.*' -type f | head -1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig # how the package finds the library here

/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
cp -r "$src/python" "$tmp/pysrc" # pip writes build/ and *.egg-info beside the sources
"$tmp/venv/bin/pip" install -q --no-build-isolation --no-index "$tmp/pysrc" >"$tmp/pip.log" 2>&1 ||
	{ cat "$tmp/pip.log"; fail "pip install --no-build-isolation of python/ failed"; }

# a sanitizer build's library needs its runtimes loaded first (python itself is not built with them)
if grep -q '^GRAPHS_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
	export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
	export ASAN_OPTIONS=detect_leaks=0
fi

# the installed CLI's answers, from /
G=$P/bin/graphs
pairs="resnet50:nvidia_t4 resnet50:hailo8 mobilenet_v2:jetson_orin_agx_gpu bert_base_uncased:amd_epyc_9654"
cd /
mkdir "$tmp/cli"
for p in $pairs; do
	"$G" estimate "${p%%:*}" --hw "${p#*:}" --format json >"$tmp/cli/est_${p%%:*}_${p#*:}.json"
done
"$G" estimate resnet50 --hw nvidia_t4 --precision int8 --batch 4 --format json >"$tmp/cli/est_b4.json"
"$G" profile mobilenet_v2 --batch 2 --format json >"$tmp/cli/profile.json"
"$G" compare resnet50 --hw nvidia_t4,hailo8,amd_epyc_9654 --format json >"$tmp/cli/compare.json"
"$G" sweep resnet50,mobilenet_v2 --hw nvidia_t4,hailo8 --batch 1,8 --format json >"$tmp/cli/sweep.json"
"$G" hw list --format json >"$tmp/cli/hw.json"
n_hw=$("$G" hw list --format csv | tail -n +2 | wc -l)

"$tmp/venv/bin/python" - "$tmp/cli" "$n_hw" "$("$G" --version)" "$pairs" <<'PY'
import json, math, os, sys
import graphs

d, n_hw, cli_version, pairs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
fails = []

def load(name):
    with open(os.path.join(d, name)) as f:
        return json.load(f)

def same(a, b, where):
    """Equal, numbers to 1e-9 relative; says where they first differ."""
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))) or \
           not math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0):
            fails.append("%s: %r != %r" % (where, a, b))
    elif isinstance(a, dict) and isinstance(b, dict):
        if sorted(a) != sorted(b):
            fails.append("%s: keys %s != %s" % (where, sorted(a), sorted(b)))
        for k in a:
            if k in b:
                same(a[k], b[k], where + "." + k)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            fails.append("%s: %d items != %d" % (where, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, "%s[%d]" % (where, i))
    elif a != b:
        fails.append("%s: %r != %r" % (where, a, b))

assert graphs.__file__.startswith(sys.prefix), graphs.__file__  # the venv's copy, not the source
if "graphs " + graphs.version() != cli_version:
    fails.append("version %s, CLI says %s" % (graphs.version(), cli_version))
for p in pairs:
    m, hw = p.split(":")
    same(graphs.estimate(m, hw=hw), load("est_%s_%s.json" % (m, hw)), "estimate(%s, %s)" % (m, hw))
same(graphs.estimate("resnet50", hw="nvidia_t4", precision="int8", batch=4), load("est_b4.json"),
     "estimate(int8, batch 4)")
same(graphs.profile("mobilenet_v2", batch=2), load("profile.json"), "profile")
same(graphs.compare("resnet50", hw=["nvidia_t4", "hailo8", "amd_epyc_9654"]), load("compare.json"),
     "compare")
same(graphs.sweep(["resnet50", "mobilenet_v2"], ["nvidia_t4", "hailo8"], [1, 8], "native"),
     load("sweep.json"), "sweep")
hw = graphs.hw_list()
same(hw, load("hw.json"), "hw_list")
if len(hw) != n_hw or n_hw < 10:
    fails.append("hw_list: %d platforms, graphs hw list: %d" % (len(hw), n_hw))

def raises(fn, code, text):
    try:
        fn()
    except graphs.GraphsError as e:
        if e.code != code or text not in str(e):
            fails.append("error %d %r, wanted %d with %r" % (e.code, str(e), code, text))
    else:
        fails.append("no GraphsError (wanted one with %r)" % text)

raises(lambda: graphs.estimate("resnet50", hw="no_such_platform"), 1, "unknown hardware 'no_such_platform'")
raises(lambda: graphs.estimate("/no/such/model.onnx", hw="nvidia_t4"), 2, "/no/such/model.onnx")
raises(lambda: graphs.estimate("resnet50", hw="nvidia_t4", precision="fp7"), 1, "unknown precision 'fp7'")
# the library still works after errors (getopt and the captured streams are reset)
same(graphs.estimate("resnet50", hw="hailo8"), load("est_resnet50_hailo8.json"), "estimate after errors")

for f in fails[:20]:
    print("FAIL", f)
if fails:
    sys.exit(1)
print("python: %d estimates, profile, compare, sweep of %d points, %d platforms agree with the CLI"
      % (len(pairs) + 2, len(load("sweep.json")["rows"]), len(hw)))
PY

# the examples of docs/python.md run as written
python3 - "$src/docs/python.md" "$tmp/doc" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```python\n(.*?)```", text, re.S)
assert len(blocks) >= 3, "docs/python.md: %d python examples" % len(blocks)
for i, b in enumerate(blocks):
    open("%s%d.py" % (sys.argv[2], i), "w").write(b)
PY
for f in "$tmp"/doc*.py; do
	"$tmp/venv/bin/python" "$f" >"$f.out" 2>&1 || { cat "$f.out"; fail "docs/python.md example $(basename "$f") failed"; }
done
echo "python: $(ls "$tmp"/doc*.py | wc -l) examples of docs/python.md run"

# examples/sweep.ipynb runs top to bottom and plots (a kernel of the venv, which has the package)
nb_ok=1
"$tmp/venv/bin/python" -c "import nbconvert, ipykernel, matplotlib" 2>/dev/null || nb_ok=0
if [ $nb_ok = 0 ]; then
	[ "${CI:-}" != true ] || fail "jupyter-nbconvert, python3-ipykernel or python3-matplotlib missing (tools/setup.sh installs them)"
	echo "python: notebook skipped (no nbconvert, ipykernel or matplotlib; tools/setup.sh installs them)"
	exit 0
fi
"$tmp/venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 ||
	fail "ipykernel install into the venv failed"
mkdir "$tmp/nb"
cp "$src/examples/sweep.ipynb" "$tmp/nb/"
(cd "$tmp/nb" && PYDEVD_DISABLE_FILE_VALIDATION=1 JUPYTER_PLATFORM_DIRS=1 "$tmp/venv/bin/python" -m nbconvert \
	--to notebook --execute --ExecutePreprocessor.timeout=120 --output out.ipynb sweep.ipynb) \
	>"$tmp/nb/log" 2>&1 || { tail -20 "$tmp/nb/log"; fail "examples/sweep.ipynb did not run"; }
"$tmp/venv/bin/python" - "$tmp/nb/out.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
kinds = [k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})]
errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
assert not errors, errors
assert "image/png" in kinds, "examples/sweep.ipynb drew no figure: %s" % kinds
print("python: examples/sweep.ipynb ran, %d cells, a figure" % len(nb["cells"]))
PY

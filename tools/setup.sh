#!/usr/bin/env bash
# Installs the Debian packages graphs needs, builds it, and runs the main job on a
# built-in example. Usage: tools/setup.sh [--deps-only] [--no-example]
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: compiler, cmake, libraries. Tests: cmocka, ONNX node tests. Zoo export and
# PyTorch-based checks: Debian's torch (run with /usr/bin/python3).
PACKAGES=(build-essential cmake pkg-config libyaml-dev libcjson-dev libhwloc-dev libcmocka-dev
          libsqlite3-dev libopenblas-dev libdnnl-dev libonnx-testdata python3-onnx python3-numpy python3-torch
          python3-torchvision libopenblas0-pthread clang libclang-rt-14-dev chromium)
PACKAGES+=(help2man doxygen) # man pages at build time (cmake/man.cmake), the `docs` target
PACKAGES+=(dpkg-dev) # dpkg-shlibdeps: the Depends of the .deb (cmake/package.cmake, tests/e2e/deb.sh)
PACKAGES+=(gcovr) # line and branch coverage of src/ (tools/coverage.sh, run by tools/test.sh)
PACKAGES+=(parallel) # GNU parallel: graphs sweep shards in tests/e2e/sweep.sh and docs/sweep.md
PACKAGES+=(python3-setuptools python3-venv jupyter-nbconvert python3-ipykernel python3-matplotlib) # python/ and examples/sweep.ipynb (tests/e2e/python.sh)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
[ "${1:-}" = "--deps-only" ] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "setup: built build/graphs" >&2
[ "${1:-}" = "--no-example" ] && exit 0

set -x
build/graphs profile resnet50 --format table | tail -n 8
build/graphs estimate resnet50 --hw intel_core_i7_12700k
build/graphs compare mobilenet_v2 --hw nvidia_h100_sxm5,jetson_orin_agx_gpu:30w,intel_core_i7_12700k,google_coral_edge_tpu

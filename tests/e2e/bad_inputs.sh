#!/usr/bin/env bash
# Every hostile model file must end with exit code 2 and a one-line message naming the file:
# no crash, no hang, no sanitizer report, nothing on stdout.
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
fail=0; n=0
for f in tests/fixtures/onnx/bad/* tests/fixtures/bad/* tests/fixtures/tflite/bad/* tests/fixtures/fx/bad/*; do
	[ -f "$f" ] || continue
	case "$f" in *.py|*.md) continue;; esac
	n=$((n + 1))
	out=$(timeout 20 "$cli" profile "$f" 2>/tmp/graphs_bad_err.$$); rc=$?
	err=$(cat /tmp/graphs_bad_err.$$)
	lines=$(printf '%s\n' "$err" | grep -c .)
	base=$(basename "$f")
	if [ $rc -ne 2 ] || [ -n "$out" ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -qF "$base"; then
		echo "FAIL $f: exit $rc, stderr: $err"
		fail=$((fail + 1))
	fi
done
rm -f /tmp/graphs_bad_err.$$
echo "bad inputs: $((n - fail)) passed, $fail failed"
[ $n -gt 0 ] && [ $fail -eq 0 ]

#!/usr/bin/env bash
# `graphs hw detect --save` writes a registry entry for this machine that the other commands
# pick up: it validates, shows, and estimates (the timing side of the host loop is bench/host_loop.sh).
set -u
. "$(dirname "$0")/lib/common.sh" "$@"
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config"
"$cli" hw detect --save >"$tmp/out.yaml" 2>"$tmp/err"; rc=$?
check "detect --save exits 0" '[ $rc -eq 0 ]'
check "it wrote the user registry entry" '[ -s "$XDG_CONFIG_HOME/graphs/hardware/host.yaml" ]'
check "the entry validates" '"$cli" hw validate "$XDG_CONFIG_HOME/graphs/hardware/host.yaml" >/dev/null'
check "hw list shows host" '"$cli" hw list | grep -q "^host "'
lat=$("$cli" estimate resnet18 --hw host --format json | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["latency_ms"] > 0 and e["hardware"] == "host")')
check "estimate --hw host gives a latency" '[ "$lat" = True ]'
echo "host detect: $((5 - fails)) passed, $fails failed"
[ $fails -eq 0 ]

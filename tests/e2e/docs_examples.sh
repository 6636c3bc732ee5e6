#!/usr/bin/env bash
# The docs stay runnable: every example command in a code block of docs/**/*.md and CONTRIBUTING.md
# (a line starting with `graphs ` or `$ graphs `, maybe after VAR=value assignments, continued by a
# trailing backslash) runs and exits 0, and the synopsis
# block at the top of a command's page matches its --help usage lines (under a minute).
# Examples run in a scratch folder that links the repository's top-level entries (so relative
# paths such as tests/fixtures/... and ../shared/... resolve) with HOME pointing inside it, so
# `hw detect --save` and calibrations stay there. A `graphs benchmark` example runs when it is short
# by design (--quick, or only reads a database); others take minutes and are skipped, with the
# examples after them in the same block (they use what it measured), unless GRAPHS_DOCS_SLOW=1.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh" "$@"
exec python3 - "$cli" <<'EOF'
import os, re, subprocess, sys, tempfile, time

cli = sys.argv[1]
root = os.getcwd()
shared = os.path.realpath(os.path.join(root, "..", "shared"))
slow = os.environ.get("GRAPHS_DOCS_SLOW") == "1"
ci = os.environ.get("CI") == "true"
# pages whose synopsis is kept by other work in progress (checked once they agree)
SYNOPSIS_PENDING = {"benchmark", "validate"}

def code_blocks(path):
    blocks, cur = [], None
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            if cur is None:
                cur = []
            else:
                blocks.append(cur)
                cur = None
        elif cur is not None:
            cur.append(line.rstrip("\n"))
    return blocks

def commands_of(block):
    out, pending = [], None
    for line in block:
        if pending is not None:
            pending += " " + line.strip()
        else:
            # optionally after VAR=value assignments (GRAPHS_HARDWARE_PATH=dir graphs ...)
            m = re.match(r"^(?:\$ )?((?:[A-Z][A-Z0-9_]*=\S+ )*)graphs (.*)$", line)
            if not m:
                continue
            pending = m.group(1) + "graphs " + m.group(2)
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
        else:
            out.append(pending)
            pending = None
    return out

def squash(text):
    return " ".join(text.split())

listed = subprocess.run([cli, "--help"], capture_output=True, text=True).stdout
cmds = set(re.findall(r"^  (\w+) ", listed, re.M))
fails, ok, skipped = [], 0, []

scratch = tempfile.mkdtemp(prefix="graphs_docs_")
work = os.path.join(scratch, "repo")
os.makedirs(work)
os.makedirs(os.path.join(scratch, "home"))
for name in os.listdir(root):
    if name not in (".git", "build", "build-asan"):
        os.symlink(os.path.join(root, name), os.path.join(work, name))
if os.path.isdir(shared):
    os.symlink(shared, os.path.join(scratch, "shared"))
env = dict(os.environ, HOME=os.path.join(scratch, "home"),
           XDG_CONFIG_HOME=os.path.join(scratch, "home", ".config"))
env.pop("GRAPHS_CALIBRATION_PATH", None)
env.pop("GRAPHS_HARDWARE_PATH", None)

start = time.time()
pages = [os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(os.path.join(root, "docs"))
         for f in fs if f.endswith(".md")]
pages += [p for p in ("CONTRIBUTING.md",) if os.path.exists(os.path.join(root, p))]
for page in sorted(pages):
    path = os.path.join(root, page)
    blocks = code_blocks(path)
    cmd = os.path.basename(page)[:-3]
    if os.path.dirname(page) == "docs" and cmd in cmds and blocks:
        # the first block is the synopsis: the --help usage lines, placeholders and all
        synopsis, blocks = blocks[0], blocks[1:]
        help_out = subprocess.run([cli, cmd, "--help"], capture_output=True, text=True).stdout
        usage = help_out.split("\n\n")[0].replace("usage: ", "", 1)
        if cmd in SYNOPSIS_PENDING:
            pass
        elif squash(usage) != squash("\n".join(synopsis)):
            fails.append(f"{page}: synopsis differs from 'graphs {cmd} --help':\n"
                         f"    docs: {squash(chr(10).join(synopsis))}\n    help: {squash(usage)}")
        else:
            ok += 1
    for block in blocks:
        skip_rest = None
        for line in commands_of(block):
            where = f"{page}: {line}"
            if skip_rest:
                skipped.append(f"{where} (after {skip_rest})")
                continue
            quick = re.search(r" --(quick|list|show|import|export)\b", line)
            if re.match(r"^(\S+=\S+ )*graphs benchmark", line) and not quick and not slow:
                skip_rest = "a benchmark"
                skipped.append(f"{where} (benchmark; GRAPHS_DOCS_SLOW=1 runs it)")
                continue
            if "../shared/" in line and not os.path.isdir(shared):
                if ci:
                    fails.append(f"{where}: ../shared is missing")
                else:
                    skipped.append(f"{where} (../shared is missing)")
                continue
            script = f'graphs() {{ "{cli}" "$@"; }}\n{line}\n'
            try:
                p = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True,
                                   text=True, timeout=300)
                rc, err = p.returncode, p.stderr.strip()
            except subprocess.TimeoutExpired:
                rc, err = "timeout", ""
            if rc == 0:
                ok += 1
                print(f"ok   {where}")
            else:
                fails.append(f"{where}: exit {rc}: {err[-300:]}")
subprocess.run(["rm", "-rf", scratch])
for s in skipped:
    print(f"skip {s}")
for f in fails:
    print(f"FAIL {f}")
print(f"docs_examples: {ok} passed, {len(fails)} failed, {len(skipped)} skipped in {time.time() - start:.0f} s")
sys.exit(1 if fails else 0)
EOF

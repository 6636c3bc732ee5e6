"""A small reader for the block-style YAML subset used by the qai-hub-models
perf.yaml and devices_and_chipsets.yaml files (standard library only).

Handles nested block mappings, block sequences (also at the parent key's
indentation), `- key: value` sequence items, quoted and plain scalars, and
comments on their own line. Flow collections and anchors are not needed there
and are rejected with an error naming the line.
"""
import re


class YamlError(ValueError):
    pass


def _scalar(text, where):
    t = text.strip()
    if not t:
        return None
    if t[0] in "[{&*!|>":
        raise YamlError("%s: unsupported YAML construct %r" % (where, t[:20]))
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    if t in ("null", "~"):
        return None
    return t


def _split_key(text, where):
    m = re.match(r"^(\"[^\"]*\"|'[^']*'|[^:#][^:]*?):(\s+(.*))?$", text)
    if not m:
        raise YamlError("%s: expected 'key: value', got %r" % (where, text[:60]))
    key = m.group(1)
    if key[0] in "'\"":
        key = key[1:-1]
    return key, m.group(3)


def parse(text, name="<yaml>"):
    lines = []
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.rstrip()
        if not s.strip() or s.lstrip().startswith("#") or s.strip() == "---":
            continue
        lines.append((len(s) - len(s.lstrip(" ")), s.strip(), "%s:%d" % (name, n)))
    if not lines:
        return None
    obj, i = _block(lines, 0, lines[0][0])
    if i != len(lines):
        raise YamlError("%s: unexpected indentation" % lines[i][2])
    return obj


def _block(lines, i, indent):
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        return _seq(lines, i, indent)
    return _map(lines, i, indent)


def _map(lines, i, indent):
    out = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("-"):
        _, text, where = lines[i]
        key, val = _split_key(text, where)
        i += 1
        if val is not None and val.strip():
            out[key] = _scalar(val, where)
        elif i < len(lines) and lines[i][0] > indent:
            out[key], i = _block(lines, i, lines[i][0])
        elif i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
            out[key], i = _seq(lines, i, indent)
        else:
            out[key] = None
    if i < len(lines) and lines[i][0] > indent:
        raise YamlError("%s: unexpected indentation" % lines[i][2])
    return out, i


def _seq(lines, i, indent):
    out = []
    while i < len(lines) and lines[i][0] == indent and (lines[i][1].startswith("- ") or lines[i][1] == "-"):
        _, text, where = lines[i]
        body = text[1:].lstrip()
        i += 1
        if not body:
            if i < len(lines) and lines[i][0] > indent:
                item, i = _block(lines, i, lines[i][0])
            else:
                item = None
            out.append(item)
            continue
        if re.match(r"^[^'\"\s][^:]*:(\s|$)", body):
            # `- key: value` opens a mapping whose further keys sit two columns in
            sub = [(indent + 2, body, where)]
            while i < len(lines) and lines[i][0] > indent:
                sub.append(lines[i])
                i += 1
            item, j = _map(sub, 0, indent + 2)
            if j != len(sub):
                raise YamlError("%s: unexpected indentation" % sub[j][2])
            out.append(item)
        else:
            out.append(_scalar(body, where))
    return out, i

#!/usr/bin/env python3
"""Writes the seed corpus of the FX JSON fuzzer (tests/fuzz/corpus_fx/) from the FX fixtures:
the small graphs whole, the first nodes of the zoo's graphs (under the fuzzer's 16 KB input
limit, outputs re-pointed at the last node kept), and the hostile files of bad/. Run from
anywhere; plain python3, no torch."""
import json
import os
import shutil

here = os.path.dirname(os.path.abspath(__file__))
fx = os.path.join(here, "..", "fixtures", "fx")
out = os.path.join(here, "corpus_fx")
os.makedirs(out, exist_ok=True)


def write(name, doc):
    with open(os.path.join(out, name), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


for m in ["attention_net", "modules_net", "shapes_net", "unknown_net"]:
    with open(os.path.join(fx, m + ".fx.json")) as f:
        write(m + ".json", json.load(f))

# A prefix of a big graph: the first k nodes whose compact JSON fits in 15 KB, ending at a
# tensor-valued node (one with a recorded shape) so that the graph has an output.
for m in ["resnet50", "mobilenet_v3_large", "vit_b_16"]:
    with open(os.path.join(fx, m + ".fx.json")) as f:
        doc = json.load(f)
    nodes = doc["nodes"]
    k = len(nodes)
    while k > 1:
        cut = dict(doc, nodes=nodes[:k], outputs=[{"node": nodes[k - 1]["name"]}])
        if "shape" in nodes[k - 1] and len(json.dumps(cut, separators=(",", ":"))) < 15000:
            break
        k -= 1
    write(m + "_head.json", cut)

for f in sorted(os.listdir(os.path.join(fx, "bad"))):
    if f.endswith(".json") and os.path.getsize(os.path.join(fx, "bad", f)) < 16384:
        shutil.copy(os.path.join(fx, "bad", f), os.path.join(out, "bad_" + f))

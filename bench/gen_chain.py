#!/usr/bin/python3
"""Writes a weightless ONNX chain of N nodes: MatMul by one shared [64, 64] weight, then
Add of one shared [64] bias, repeated (N must be even). Input [1, 64] float32.
Each MatMul is 2*64*64 FLOPs, each Add 64: N/2 * (8192 + 64) FLOPs in all.
Usage: gen_chain.py N OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

n, out = int(sys.argv[1]), sys.argv[2]
if n < 2 or n % 2:
    sys.exit("gen_chain.py: N must be an even number >= 2")
w = numpy_helper.from_array(np.zeros((64, 64), np.float32), "w")
b = numpy_helper.from_array(np.zeros((64,), np.float32), "b")
nodes, prev = [], "x"
for i in range(n // 2):
    nodes.append(helper.make_node("MatMul", [prev, "w"], [f"m{i}"], name=f"mm{i}"))
    nodes.append(helper.make_node("Add", [f"m{i}", "b"], [f"a{i}"], name=f"add{i}"))
    prev = f"a{i}"
g = helper.make_graph(nodes, f"chain{n}",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                      [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 64])], [w, b])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.save(m, out)

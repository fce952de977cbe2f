"""Repro: TVM's ONNX frontend ignores ConvTranspose's `output_shape` attribute: a model that states
its output size by output_shape (ONNX derives the pads from it) is imported with no padding at all,
so the output has the uncropped size and the values are shifted.

Needs numpy, onnx and tvm (onnxruntime, where installed, shows the model computed as ONNX defines
it). Exit status 1: reproduced; 0: fixed (shape and values match the definition).
"""
import sys

import numpy as np
import onnx
import tvm
from onnx import helper
from tvm.relax.frontend.onnx import from_onnx

# A depthwise 1-D ConvTranspose (group 2): 3 inputs, 2 taps, stride 2 scatter to 6 elements;
# output_shape [4] means pads (1, 1) by ONNX's rule (total 2, the odd one first).
C, N, K, STRIDE, OUTPUT = 2, 3, 2, 2, 4


def model():
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], group=C, kernel_shape=[K], strides=[STRIDE],
                            output_shape=[OUTPUT])
    graph = helper.make_graph([node], "convtranspose_output_shape",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, (1, C, N)),
                               helper.make_tensor_value_info("w", onnx.TensorProto.FLOAT, (C, 1, K))],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, (1, C, OUTPUT))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=7)


def expected(x, w):
    """The scatter (input i reaches i*stride + t), then the pads ONNX derives from output_shape."""
    full = np.zeros((1, C, (N - 1) * STRIDE + K))
    for i in range(N):
        for t in range(K):
            full[0, :, i * STRIDE + t] += x[0, :, i] * w[:, 0, t]
    total = full.shape[2] - OUTPUT
    before = total - total // 2
    return full[:, :, before:before + OUTPUT]


def main() -> int:
    x = np.arange(1, 1 + C * N, dtype="float32").reshape(1, C, N)
    w = np.array([[[1.0, 10.0]], [[-1.0, 100.0]]], dtype="float32")
    want = expected(x.astype(np.float64), w.astype(np.float64))
    try:
        import onnxruntime

        session = onnxruntime.InferenceSession(model().SerializeToString(), providers=["CPUExecutionProvider"])
        print(f"onnxruntime: {session.run(None, {'x': x, 'w': w})[0].tolist()}")
    except ImportError:
        pass
    executable = tvm.compile(from_onnx(model(), keep_params_in_input=False), target="llvm")
    out = tvm.relax.VirtualMachine(executable, tvm.cpu())["main"](tvm.runtime.tensor(x), tvm.runtime.tensor(w)).numpy()
    print(f"expected (ONNX's definition): {want.tolist()}")
    print(f"TVM: {out.tolist()}")
    if out.shape != want.shape or not np.allclose(out, want):
        print(f"REPRODUCED: TVM's output {out.shape} is not output_shape's {want.shape} (or its values differ)")
        return 1
    print("NOT REPRODUCED: output_shape is honoured")
    return 0


if __name__ == "__main__":
    sys.exit(main())

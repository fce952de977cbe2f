"""Repro: a Relax depthwise conv2d with symbolic batch, height and width (`R.Tensor((n, C, h, w))`),
compiled once, returns an empty output when called with sizes whose output extent is 0 (a 3x3
kernel, stride 2, on an input 1 row high: (1 - 3) // 2 + 1 = 0 rows). The same sizes given
statically are refused when the module is built (a ValueError), and PyTorch refuses the call
("Kernel size can't be greater than actual input size"): the symbolic module should refuse it at
call time too.

Needs numpy and tvm. Exit status 1: reproduced; 0: fixed.
"""
import sys

import numpy as np
import tvm
from tvm import relax, tirx

C, K, STRIDE = 3, 3, 2


def module(shape):
    """main(x, w) = conv2d(x, w), groups = C, stride 2, no padding, NCHW."""
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType(shape, "float32"))
    w = relax.Var("w", relax.TensorType((C, 1, K, K), "float32"))
    with bb.function("main", [x, w]):
        with bb.dataflow():
            y = bb.emit_output(bb.emit(relax.op.nn.conv2d(x, w, strides=(STRIDE, STRIDE), groups=C)))
        bb.emit_func_output(y)
    return bb.get()


def main() -> int:
    data = np.ones((1, C, 1, 9), "float32")  # one row: output rows (1 - 3) // 2 + 1 = 0
    weight = np.ones((C, 1, K, K), "float32")
    try:
        tvm.compile(module(data.shape), target="llvm")
        static = "built"
    except Exception as exc:  # noqa: BLE001 (the refusal is what is expected)
        static = f"refused ({type(exc).__name__})"
    print(f"static shapes {data.shape}: {static}")
    n, h, w = (tirx.Var(name, "int64") for name in "nhw")
    vm = relax.VirtualMachine(tvm.compile(module((n, C, h, w)), target="llvm"), tvm.cpu())
    vm["main"](tvm.runtime.tensor(np.ones((1, C, 5, 5), "float32")), tvm.runtime.tensor(weight))  # a valid call
    try:
        out = vm["main"](tvm.runtime.tensor(data), tvm.runtime.tensor(weight)).numpy()
    except Exception as exc:  # noqa: BLE001
        print(f"NOT REPRODUCED: the symbolic module refuses {data.shape}: {type(exc).__name__}")
        return 0
    print(f"REPRODUCED: the symbolic module returns an output of shape {out.shape} for input {data.shape} "
          f"(static shapes: {static})")
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""Repro: relax.op.nn.conv2d with an out_layout other than its data_layout is accepted (shape
inference gives the output in out_layout), but tvm.compile fails at VM codegen: LegalizeOps
leaves the op as it is (it only logs, at INFO level, that TOPI cannot change layouts).

Needs numpy and tvm only. Exit status 1: reproduced; 0: fixed (the module builds and is right).
"""
import sys

import numpy as np
import tvm
from tvm import relax


def main() -> int:
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((1, 2, 3, 4), "float32"))  # NCHW
    w = relax.Var("w", relax.TensorType((2, 1, 1, 1), "float32"))  # OIHW, depthwise (groups=2)
    with bb.function("main", [x, w]):
        y = bb.emit(relax.op.nn.conv2d(x, w, groups=2, data_layout="NCHW", kernel_layout="OIHW", out_layout="NHWC"))
        bb.emit_func_output(y)
    mod = bb.get()
    print(f"accepted: main returns {mod['main'].ret_ty}")
    try:
        executable = tvm.compile(mod, target="llvm")
    except Exception as exc:
        print("REPRODUCED: tvm.compile failed:", str(exc).strip().splitlines()[0])
        return 1
    xa = np.arange(24, dtype="float32").reshape(1, 2, 3, 4)
    wa = np.array([2.0, -1.0], dtype="float32").reshape(2, 1, 1, 1)
    out = relax.VirtualMachine(executable, tvm.cpu())["main"](tvm.runtime.tensor(xa), tvm.runtime.tensor(wa)).numpy()
    expected = (xa * wa.reshape(1, 2, 1, 1)).transpose(0, 2, 3, 1)
    if out.shape != expected.shape or not np.array_equal(out, expected):
        print(f"REPRODUCED: wrong output {out.shape}, expected {expected.shape}")
        return 1
    print("NOT REPRODUCED: compiled, and the output is right")
    return 0


if __name__ == "__main__":
    sys.exit(main())

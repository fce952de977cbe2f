"""Repro: relax.op.nn.conv{1,2,3}d_transpose in a channels-last layout (data NWC/NHWC/NDHWC, kernel
WIO/HWIO/DHWIO) is accepted (shape inference gives the right output shape), but tvm.compile fails
at VM codegen ("CodeGenVM cannot emit this Relax operator directly"): LegalizeOps leaves the op as
it is (it only logs, at INFO level, that TOPI's conv_transpose takes NC{spatial} / IO{spatial}).

Needs numpy and tvm only. Exit status 1: reproduced (any rank); 0: fixed (each builds and is right).
"""
import sys

import numpy as np
import tvm
from tvm import relax


def expected_output(x, w, rank):
    """A 1-tap (kernel 1), stride-1 depthwise transposed convolution scales each channel by its weight."""
    return x * w.reshape((1,) * (rank + 1) + (-1,))


def try_rank(rank: int) -> bool:
    spatial = "DHW"[3 - rank:]
    sizes = (3, 4, 2)[:rank]
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((1, *sizes, 2), "float32"))  # N{spatial}C, 2 channels
    w = relax.Var("w", relax.TensorType((*[1] * rank, 2, 1), "float32"))  # {spatial}IO, groups = 2
    op = getattr(relax.op.nn, f"conv{rank}d_transpose")
    with bb.function("main", [x, w]):
        y = bb.emit(op(x, w, groups=2, data_layout=f"N{spatial}C", kernel_layout=f"{spatial}IO"))
        bb.emit_func_output(y)
    mod = bb.get()
    print(f"conv{rank}d_transpose accepted: main returns {mod['main'].ret_ty}")
    try:
        executable = tvm.compile(mod, target="llvm")
    except Exception as exc:
        print(f"  tvm.compile failed: {type(exc).__name__}: {str(exc).strip().splitlines()[0]}")
        return True
    xa = np.arange(np.prod(sizes) * 2, dtype="float32").reshape(1, *sizes, 2)
    wa = np.array([2.0, -1.0], dtype="float32").reshape(*[1] * rank, 2, 1)
    out = relax.VirtualMachine(executable, tvm.cpu())["main"](tvm.runtime.tensor(xa), tvm.runtime.tensor(wa)).numpy()
    expected = expected_output(xa, wa, rank)
    if out.shape != expected.shape or not np.array_equal(out, expected):
        print(f"  wrong output {out.shape}, expected {expected.shape}")
        return True
    return False


def main() -> int:
    failed = [rank for rank in (1, 2, 3) if try_rank(rank)]
    if failed:
        print(f"REPRODUCED: channels-last conv_transpose of rank {failed} does not compile or is wrong")
        return 1
    print("NOT REPRODUCED: every rank compiled, and the outputs are right")
    return 0


if __name__ == "__main__":
    sys.exit(main())

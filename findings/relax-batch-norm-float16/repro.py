"""Repro: `relax.op.nn.batch_norm` of float16 data is declared float16, but LegalizeOps lowers it
to a TIR function that returns float32 (TOPI computes it in float32 and does not cast back):
the compiled function returns float32, and an operator after it that was typed for float16 (an
ONNX Clip's maximum with a float16 bound) no longer type-checks ("Argument 0 type mismatch").

Needs numpy and tvm. Exit status 1: reproduced; 0: fixed.
"""
import sys

import numpy as np
import tvm
from tvm import relax


def batch_norm_module(then_clip: bool):
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((1, 2, 2, 2), "float16"))
    params = [relax.Var(name, relax.TensorType((2,), "float16")) for name in ("gamma", "beta", "mean", "var")]
    with bb.function("main", [x, *params]):
        with bb.dataflow():
            y = bb.emit(relax.TupleGetItem(bb.emit(relax.op.nn.batch_norm(x, *params, axis=1, training=False)), 0))
            if then_clip:  # as the ONNX frontend imports Clip(0, 6): maximum, then minimum
                y = bb.emit(relax.op.minimum(bb.emit(relax.op.maximum(y, relax.const(0, "float16"))),
                                             relax.const(6, "float16")))
            out = bb.emit_output(y)
        bb.emit_func_output(out)
    return bb.get()


def main() -> int:
    reproduced = False
    mod = batch_norm_module(then_clip=False)
    args = [tvm.runtime.tensor(np.ones(shape, "float16")) for shape in ((1, 2, 2, 2), (2,), (2,), (2,), (2,))]
    out = relax.VirtualMachine(tvm.compile(mod, target="llvm"), tvm.cpu())["main"](*args).numpy()
    print(f"batch_norm declared {mod['main'].ret_ty.dtype}, returns {out.dtype}")
    reproduced |= out.dtype != np.float16
    try:
        tvm.compile(batch_norm_module(then_clip=True), target="llvm")
        print("batch_norm then maximum/minimum with float16 bounds: compiles")
    except Exception as exc:
        print(f"batch_norm then maximum/minimum with float16 bounds: {type(exc).__name__}: "
              f"{str(exc).strip().splitlines()[0][:160]}")
        reproduced = True
    if reproduced:
        print("REPRODUCED: float16 batch_norm is lowered to float32")
        return 1
    print("NOT REPRODUCED: float16 batch_norm stays float16")
    return 0


if __name__ == "__main__":
    sys.exit(main())

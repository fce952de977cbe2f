"""Repro: TVM's `c` target prints floating-point constants with 7 significant digits, so a
constant that needs more (any float64 one, and float32 ones that need 8 or 9) is rounded in the
generated C; llvm keeps every bit. Y = X + c for X = 0: Y should be c exactly.

Needs numpy and tvm only (and a C compiler, as the c target does). Exit status 1: reproduced; 0: fixed.
"""
import sys

import numpy as np
import tvm
from tvm import te, tirx

# (dtype, constant): BatchNorm's epsilon 1e-5 as float32 holds it, in a float64 computation (as
# dwconf's blocks have it), 0.1 + 2**-50, and a float32 constant 9 significant digits long.
CONSTANTS = (("float64", 9.999999747378752e-06), ("float64", 0.1 + 2**-50),
             ("float32", float(np.float32(0.1) + np.float32(2**-26))))


def add_constant(dtype: str, value: float, target: str):
    X = te.placeholder((4,), dtype, name="X")
    Y = te.compute((4,), lambda i: X[i] + tirx.const(value, dtype), name="Y")
    lib = tvm.compile(tvm.IRModule({"main": te.create_prim_func([X, Y]).with_attr("global_symbol", "main")}),
                      target=target)
    y = tvm.runtime.tensor(np.zeros(4, dtype))
    lib["main"](tvm.runtime.tensor(np.zeros(4, dtype)), y)
    return y.numpy()[0], lib


def main() -> int:
    wrong = 0
    for dtype, value in CONSTANTS:
        expected = np.dtype(dtype).type(value)
        got = {target: add_constant(dtype, value, target)[0] for target in ("llvm", "c")}
        ok = {target: got[target] == expected for target in got}
        print(f"{dtype} {expected!r}: llvm {got['llvm']!r} ({'exact' if ok['llvm'] else 'WRONG'}), "
              f"c {got['c']!r} ({'exact' if ok['c'] else 'WRONG'})")
        wrong += not all(ok.values())
    source = add_constant("float64", CONSTANTS[0][1], "c")[1].mod.inspect_source()
    print("the c target's line:", next(line.strip() for line in source.splitlines() if "Y[" in line and "X[" in line))
    if wrong:
        print(f"REPRODUCED: {wrong} of {len(CONSTANTS)} constants rounded by the c target")
        return 1
    print("NOT REPRODUCED: every constant exact on both targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Repro: TOPI's group_conv2d_transpose_nchw and Relax's conv2d_transpose accept transposed
convolutions that have no valid output: pads that crop more than the output has (an output of
size -1) and negative padding. Both build; Relax even declares R.Tensor((1, 2, -1, -1)).
(Output padding >= stride and groups not dividing the channels are refused, as they should be.)

Needs tvm only. Exit status 1: reproduced (some invalid input is accepted); 0: every one refused.
"""
import sys

import tvm
from tvm import relax, te, topi

# (name, data shape, weight shape (C, M, KH, KW), padding (top, left, bottom, right))
INVALID = [("empty output (pads crop a 1x1 output to -1x-1)", (1, 2, 1, 1), (2, 1, 1, 1), (1, 1, 1, 1)),
           ("negative padding", (1, 2, 3, 3), (2, 1, 2, 2), (-1, 0, 0, 0))]


def topi_accepts(data, weight, padding) -> str | None:
    try:
        x, k = te.placeholder(data, "float32", "X"), te.placeholder(weight, "float32", "K")
        y = topi.nn.group_conv2d_transpose_nchw(x, k, (1, 1), padding, "float32", (0, 0), data[1])
        tvm.compile(te.create_prim_func([x, k, y]), target="llvm")
    except Exception:
        return None
    return f"built, output shape {tuple(int(s) for s in y.shape)}"


def relax_accepts(data, weight, padding) -> str | None:
    bb = relax.BlockBuilder()
    x, w = relax.Var("x", relax.TensorType(data, "float32")), relax.Var("w", relax.TensorType(weight, "float32"))
    try:
        with bb.function("main", [x, w]):
            bb.emit_func_output(bb.emit(relax.op.nn.conv2d_transpose(x, w, padding=padding, groups=data[1])))
        mod = bb.get()
        tvm.compile(mod, target="llvm")
    except Exception:
        return None
    return f"built, main returns {mod['main'].ret_ty}"


def main() -> int:
    accepted = []
    for name, data, weight, padding in INVALID:
        for path, attempt in (("topi.nn.group_conv2d_transpose_nchw", topi_accepts),
                              ("relax.op.nn.conv2d_transpose", relax_accepts)):
            what = attempt(data, weight, padding)
            print(f"{path}, {name}: {what or 'refused'}")
            if what:
                accepted.append((path, name))
    if accepted:
        print(f"REPRODUCED: {len(accepted)} invalid transposed convolution(s) accepted")
        return 1
    print("NOT REPRODUCED: every invalid transposed convolution is refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())

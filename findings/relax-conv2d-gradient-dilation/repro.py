"""Repro: Relax's autodiff (relax.transform.Gradient) of a dilated conv2d computes the input
gradient's size without the dilation: the gradient comes back with the wrong shape and no error
(stride 3, dilation 2: (1, 2, 8, 4) for a (1, 2, 7, 4) input), or the module is refused
("Conv2dTranspose expects the output padding less than the strides", stride 1, dilation 2).

Needs numpy and tvm. Exit status 1: reproduced; 0: fixed (both gradients right, in shape and value).
"""
import sys

import numpy as np
import tvm
from tvm import relax

C, K = 2, 2


def gradient_of_sum(shape, stride, dilation):
    """d sum(conv2d(x, w, groups=C)) / dx, by Relax's Gradient pass, and the float64 reference."""
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType(shape, "float64"))
    w = relax.Var("w", relax.TensorType((C, 1, K, 1), "float64"))  # depthwise, K taps along H
    with bb.function("main", [x, w]):
        with bb.dataflow():
            y = bb.emit(relax.op.nn.conv2d(x, w, strides=(stride, 1), dilation=(dilation, 1), groups=C))
            loss = bb.emit_output(relax.op.sum(y))
        bb.emit_func_output(loss)
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal(shape), rng.standard_normal((C, 1, K, 1))
    # each output row o reads input rows o*stride + t*dilation: the gradient adds w[t] there
    want = np.zeros(shape)
    for o in range((shape[2] - dilation * (K - 1) - 1) // stride + 1):
        for t in range(K):
            want[:, :, o * stride + t * dilation, :] += wa[:, 0, t, 0][None, :, None]
    try:
        mod = relax.transform.Gradient("main")(bb.get())
        vm = relax.VirtualMachine(tvm.compile(mod, target="llvm"), tvm.cpu())
        _, (gx, _) = vm["main_adjoint"](tvm.runtime.tensor(xa), tvm.runtime.tensor(wa))
    except Exception as exc:
        return f"refused: {str(exc).strip().splitlines()[-1][:150]}"
    got = gx.numpy()
    if got.shape != want.shape:
        return f"WRONG SHAPE {got.shape}, the input is {want.shape}"
    if not np.allclose(got, want):
        return f"wrong values (max error {np.abs(got - want).max():.3g})"
    return None


def main() -> int:
    problems = {f"stride {s}, dilation {d}": gradient_of_sum((1, C, h, 4), s, d) for s, d, h in ((3, 2, 7), (1, 2, 7))}
    problems["stride 2, dilation 1 (a control)"] = gradient_of_sum((1, C, 6, 4), 2, 1)
    for what, problem in problems.items():
        print(f"{what}: {problem or 'right'}")
    if any(problems.values()):
        print("REPRODUCED: the gradient of a dilated conv2d is wrong or refused")
        return 1
    print("NOT REPRODUCED: every gradient is right")
    return 0


if __name__ == "__main__":
    sys.exit(main())

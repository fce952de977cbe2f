"""The seed chapter's TE `depthwise_conv`, ported to TVM 0.27.

The chapter computes one image, NCHW, symmetric padding, stride, multiplier 1:
a padding stage (`padding`) then a sum over the kh, kw reduce axes. The port keeps that
structure and extends it where it extends without changing its shape: a batch axis,
(top, left, bottom, right) padding, dilation on the reduce index, and channel
multiplier M as TOPI numbers channels (output c reads input c // M).
"""
from tvm import te, tirx

from kernels.kernel import Kernel
from model.case import DTYPES
from model.space import CaseSpace


def padding(X, pad_top, pad_left, pad_bottom, pad_right, val=0):
    """The chapter's `padding` helper (zero-pads the last two axes), with per-side sizes."""
    nh, nw = X.shape[-2], X.shape[-1]
    return te.compute(
        (*X.shape[0:-2], nh + pad_top + pad_bottom, nw + pad_left + pad_right),
        lambda *i: tirx.if_then_else(
            tirx.any(i[-2] < pad_top, i[-2] >= nh + pad_top, i[-1] < pad_left, i[-1] >= nw + pad_left),
            tirx.const(val, X.dtype),
            X[i[:-2] + (i[-2] - pad_top, i[-1] - pad_left)],
        ),
        name="PaddedX",
    )


def depthwise_conv(case):
    """The chapter's `depthwise_conv` for a case: returns (X, K, Y)."""
    rkh = te.reduce_axis((0, case.kernel_h), name="rkh")
    rkw = te.reduce_axis((0, case.kernel_w), name="rkw")
    sh, sw = case.stride
    dh, dw = case.dilation
    m = case.multiplier
    X = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    K = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    # The chapter pads only `if ph * pw != 0`, which skips the padding stage when exactly
    # one of them is 0 and then reads out of bounds: findings/seed-chapter-padding.md.
    PaddedX = padding(X, *case.padding) if any(case.padding) else X
    Y = te.compute(
        case.output_shape,
        lambda n, c, i, j: te.sum(
            PaddedX[n, c // m, i * sh + rkh * dh, j * sw + rkw * dw] * K[c // m, c % m, rkh, rkw],
            axis=[rkh, rkw],
        ),
        name="Y",
    )
    return X, K, Y


SEED_TE = Kernel(
    name="seed_te",
    compute=depthwise_conv,
    space=CaseSpace(layouts=("NCHW",), dtypes=DTYPES),
    description="the seed chapter's TE depthwise_conv (padding stage + reduce over kh, kw)",
)

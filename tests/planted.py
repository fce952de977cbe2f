"""Deliberately wrong kernels that the suite must catch (used by the suite's own tests)."""
from tvm import te, topi

from kernels.kernel import Kernel
from strategies.cases import CaseSpace


def top_padding_at_bottom(case):
    """TOPI's NCHW depthwise compute, except that the top padding rows are added at the bottom:
    same output shape, rows shifted whenever pad_top > 0 (a realistic pad-order bug)."""
    x = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    k = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    wrong = (0, case.pad_left, case.pad_top + case.pad_bottom, case.pad_right)
    y = topi.nn.depthwise_conv2d_nchw(x, k, case.stride, wrong, case.dilation, case.dtype)
    return x, k, y


TOP_PADDING_AT_BOTTOM = Kernel(
    name="planted_top_padding_at_bottom", compute=top_padding_at_bottom,
    space=CaseSpace(layouts=("NCHW",)),
    description="planted bug: top padding applied at the bottom",
)


def segfaults(case):
    """Dies of SIGSEGV while 'compiling', as a crashing code generator would."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGSEGV)


def hangs(case):
    """Never finishes 'compiling'."""
    import time

    while True:
        time.sleep(1)


SEGFAULTING = Kernel(name="planted_segfault", compute=segfaults, space=CaseSpace(layouts=("NCHW",)),
                     description="planted: segfaults while building")
HANGING = Kernel(name="planted_hang", compute=hangs, space=CaseSpace(layouts=("NCHW",)),
                 description="planted: never finishes building")


def planted_grad_weight(case, target, padding=None, scale=1):
    """TOPI's grad_weight kernel built with `padding` (top, left, bottom, right; default the
    case's) and its output times `scale`: a planted bug when either differs."""
    import tvm

    from kernels.backward import compile_backward

    g = te.placeholder(case.output_shape, case.dtype, name="grad_out")
    x = te.placeholder(case.input_shape, case.dtype, name="data")
    grad = topi.nn.depthwise_conv2d_backward_weight_nhwc(x, g, case.output_shape, case.weight_shape,
                                                         case.stride, padding or case.padding)
    if scale != 1:
        grad = te.compute(grad.shape, lambda *i: grad(*i) * tvm.tirx.const(scale, case.dtype), name="scaled")
    return compile_backward("weight", case, target, (x, g, grad))


def backward_with_weight_padding_swapped(case, target):
    """TOPI's backward kernels, except that grad_weight pads the data with top and bottom swapped
    (a bug that needs pad_top != pad_bottom)."""
    from kernels.backward import build_backward

    grad_input, _ = build_backward(case, target)
    swapped = (case.pad_bottom, case.pad_left, case.pad_top, case.pad_right)
    return grad_input, planted_grad_weight(case, target, padding=swapped)


def one_column_too_many(case):
    """TOPI's NCHW depthwise compute with an output one column wider than the case's (a user
    kernel that gets its output size wrong)."""
    x = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    k = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    y = topi.nn.depthwise_conv2d_nchw(x, k, case.stride, case.padding, case.dilation, case.dtype)
    n, c, h, w = case.output_shape
    return x, k, te.compute((n, c, h, w + 1), lambda b, i, j, l: y[b, i, j, te.min(l, w - 1)], name="Y")


ONE_COLUMN_TOO_MANY = Kernel(
    name="planted_one_column_too_many", compute=one_column_too_many, space=CaseSpace(layouts=("NCHW",)),
    description="planted bug: output one column too wide",
)

"""Deliberately wrong kernels that the suite must catch (used by the suite's own tests)."""
from tvm import te, topi

from kernels.backward import SPACE as BACKWARD_SPACE, grad_weight
from kernels.kernel import Kernel
from model.space import CaseSpace


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


def grad_weight_doubled(case):
    """TOPI's grad_weight kernel with its output doubled."""
    import tvm

    x, g, grad = grad_weight(case)
    return x, g, te.compute(grad.shape, lambda *i: grad(*i) * tvm.tirx.const(2, case.dtype), name="doubled")


def grad_weight_padding_swapped(case):
    """TOPI's grad_weight kernel padding the data with top and bottom swapped (a bug that needs
    pad_top != pad_bottom)."""
    return grad_weight(case, padding=(case.pad_bottom, case.pad_left, case.pad_top, case.pad_right))


GRAD_WEIGHT_DOUBLED = Kernel(
    name="planted_grad_weight_doubled", compute=grad_weight_doubled, space=BACKWARD_SPACE, gradient="weight",
    gpu=False, description="planted bug: TOPI depthwise_conv2d_backward_weight_nhwc, doubled")
GRAD_WEIGHT_PADDING_SWAPPED = Kernel(
    name="planted_grad_weight_padding_swapped", compute=grad_weight_padding_swapped, space=BACKWARD_SPACE,
    gradient="weight", gpu=False,
    description="planted bug: TOPI depthwise_conv2d_backward_weight_nhwc, top and bottom padding swapped")


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

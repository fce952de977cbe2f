"""TOPI's depthwise backward kernels (NHWC): gradients with respect to the input and the weight.

Each is a registered kernel whose `gradient` says which one it computes; its compute returns
(first input, grad_out, gradient) TE tensors (see Kernel), and it is checked against the
references' gradients like any other row.
"""
from __future__ import annotations

from kernels.kernel import Kernel
from model.space import CaseSpace

# TOPI's backward kernels take NHWC without dilation, in the float dtypes torch's CPU autograd takes exactly.
SPACE = CaseSpace(layouts=("NHWC",), dtypes=("float32", "float64"), max_dilation=1)


def grad_input(case):
    """(weight, grad_out, grad_input): TOPI's depthwise_conv2d_backward_input_nhwc."""
    from tvm import te, topi

    g = te.placeholder(case.output_shape, case.dtype, name="grad_out")
    w = te.placeholder(case.weight_shape, case.dtype, name="weight")
    return w, g, topi.nn.depthwise_conv2d_backward_input_nhwc(w, g, case.output_shape, case.input_shape,
                                                              case.stride, case.padding)


def grad_weight(case, padding=None):
    """(data, grad_out, grad_weight): TOPI's depthwise_conv2d_backward_weight_nhwc (`padding`,
    (top, left, bottom, right), replaces the case's: the suite's tests plant bugs with it)."""
    from tvm import te, topi

    g = te.placeholder(case.output_shape, case.dtype, name="grad_out")
    x = te.placeholder(case.input_shape, case.dtype, name="data")
    return x, g, topi.nn.depthwise_conv2d_backward_weight_nhwc(x, g, case.output_shape, case.weight_shape,
                                                               case.stride, padding or case.padding)


BACKWARD_KERNELS = tuple(
    Kernel(name=f"topi_backward_{which}_nhwc", compute=compute, space=SPACE, gradient=which, gpu=False,
           description=f"TOPI depthwise_conv2d_backward_{which}_nhwc (gradient with respect to the {which})")
    for which, compute in (("input", grad_input), ("weight", grad_weight))
)
BACKWARD = "topi_backward"  # --kernels selects both gradient rows by this name

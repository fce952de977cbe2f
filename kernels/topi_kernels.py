"""TOPI's depthwise and group convolutions as kernels under test."""
from tvm import te, topi

from kernels.kernel import Kernel
from strategies.case import DTYPES as ALL_DTYPES
from strategies.cases import CaseSpace


def _placeholders(case):
    return (te.placeholder(case.input_shape, dtype=case.dtype, name="X"),
            te.placeholder(case.weight_shape, dtype=case.dtype, name="K"))


def topi_nchw(case):
    """`topi.nn.depthwise_conv2d_nchw`, filter (C, M, KH, KW)."""
    x, k = _placeholders(case)
    y = topi.nn.depthwise_conv2d_nchw(x, k, case.stride, case.padding, case.dilation, case.dtype)
    return x, k, y


def topi_nhwc(case):
    """`topi.nn.depthwise_conv2d_nhwc`, filter HWOI = (KH, KW, C, M)."""
    x, k = _placeholders(case)
    y = topi.nn.depthwise_conv2d_nhwc(x, k, case.stride, case.padding, case.dilation,
                                      kernel_layout="HWOI", out_dtype=case.dtype)
    return x, k, y


def topi_group(case):
    """`topi.nn.group_conv2d_nchw` with groups = C, filter (C*M, 1, KH, KW)."""
    x, k = _placeholders(case)
    k_grouped = topi.reshape(k, (case.out_channels, 1, case.kernel_h, case.kernel_w))
    y = topi.nn.group_conv2d_nchw(x, k_grouped, case.stride, case.padding, case.dilation,
                                  groups=case.channels, out_dtype=case.dtype)
    return x, k, y


NCHW_SPACE = CaseSpace(layouts=("NCHW",), dtypes=ALL_DTYPES)
NHWC_SPACE = CaseSpace(layouts=("NHWC",), dtypes=ALL_DTYPES)

TOPI_KERNELS = (
    Kernel("topi_nchw", topi_nchw, NCHW_SPACE, "topi.nn.depthwise_conv2d_nchw"),
    Kernel("topi_nhwc", topi_nhwc, NHWC_SPACE, "topi.nn.depthwise_conv2d_nhwc (HWOI filter)"),
    Kernel("topi_group", topi_group, NCHW_SPACE, "topi.nn.group_conv2d_nchw, groups = C"),
)

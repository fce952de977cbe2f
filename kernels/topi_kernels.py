"""TOPI's depthwise and group convolutions as kernels under test."""
from tvm import te, topi

from kernels.kernel import Kernel
from model.case import DTYPES
from model.space import CaseSpace


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


def nchwc_missing() -> str | None:
    """TOPI 0.27's generic depthwise_conv2d_NCHWc raises 'missing register' (its x86 version
    is gone); probe it, so the rows come back by themselves when an implementation returns."""
    x = te.placeholder((1, 1, 1, 1, 1), name="X")
    k = te.placeholder((1, 1, 1, 1, 1, 1), name="K")
    try:
        topi.nn.depthwise_conv2d_NCHWc(x, k, (1, 1), (0, 0), (1, 1), "NCHW1c", "NCHW1c")
    except Exception as exc:
        return f"topi.nn.depthwise_conv2d_NCHWc is not implemented in this TVM ({str(exc)[:120]})"
    return None


def nchwc_options(case):
    """Channel block sizes, dividing C or not (the channels are zero-padded up to a multiple)."""
    from hypothesis import strategies as st

    return st.fixed_dictionaries({"block": st.sampled_from((1, 2, 3, 4, 8, 16))})


def topi_nchwc(case, block):
    """NCHW -> NCHW[b]c (channels zero-padded to a multiple of b) -> depthwise_conv2d_NCHWc -> NCHW."""
    x, k = _placeholders(case)
    channels = -(-case.channels // block) * block
    xp = topi.nn.pad(x, (0, 0, 0, 0), (0, channels - case.channels, 0, 0))
    packed = topi.layout_transform(xp, "NCHW", f"NCHW{block}c")
    kp = topi.nn.pad(k, (0, 0, 0, 0), (channels - case.channels, 0, 0, 0))
    # Filter [out_chunk, 1, KH, KW, 1, out_block] with multiplier 1 (the space allows no other).
    kp = topi.transpose(topi.reshape(kp, (channels // block, block, case.kernel_h, case.kernel_w)), (0, 2, 3, 1))
    kp = topi.reshape(kp, (channels // block, 1, case.kernel_h, case.kernel_w, 1, block))
    y = topi.nn.depthwise_conv2d_NCHWc(packed, kp, case.stride, case.padding, case.dilation,
                                       f"NCHW{block}c", f"NCHW{block}c", case.dtype)
    y = topi.layout_transform(y, f"NCHW{block}c", "NCHW")
    y = topi.strided_slice(y, (0, 0, 0, 0), (case.batch, case.channels, case.out_height, case.out_width))
    return x, k, y


NCHW_SPACE = CaseSpace(layouts=("NCHW",), dtypes=DTYPES)
NHWC_SPACE = CaseSpace(layouts=("NHWC",), dtypes=DTYPES, lane_channels=True)

TOPI_KERNELS = (
    Kernel(name="topi_nchw", compute=topi_nchw, space=NCHW_SPACE, description="topi.nn.depthwise_conv2d_nchw"),
    Kernel(name="topi_nhwc", compute=topi_nhwc, space=NHWC_SPACE,
           description="topi.nn.depthwise_conv2d_nhwc (HWOI filter)"),
    Kernel(name="topi_group", compute=topi_group, space=NCHW_SPACE,
           description="topi.nn.group_conv2d_nchw, groups = C"),
    Kernel(name="topi_nchwc", compute=topi_nchwc,
           space=CaseSpace(layouts=("NCHW",), max_multiplier=1, dtypes=DTYPES),
           description="topi.nn.depthwise_conv2d_NCHWc after an NCHW[b]c layout transform (the x86 path)",
           options=nchwc_options, unavailable=nchwc_missing),
)

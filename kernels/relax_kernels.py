"""The Relax path built by hand: `relax.op.nn.conv2d(groups=C)`, run by the Relax VM (the
frontends' paths: kernels/torch_export.py, kernels/onnx_import.py)."""
from __future__ import annotations

from kernels.kernel import Kernel
from model.case import DTYPES
from model.space import CaseSpace


def grouped_weight_shape(case) -> tuple:
    """(C, M, KH, KW) reshaped to conv2d's OIHW (C*M, 1, KH, KW); HWOI for NHWC."""
    if case.layout == "NCHW":
        return (case.out_channels, 1, case.kernel_h, case.kernel_w)
    return (case.kernel_h, case.kernel_w, case.out_channels, 1)


def relax_conv2d(case):
    """A Relax function main(data, weight) -> conv2d(data, weight, groups=C)."""
    from tvm import relax

    bb = relax.BlockBuilder()
    x = relax.Var("data", relax.TensorType(case.input_shape, case.dtype))
    w = relax.Var("weight", relax.TensorType(grouped_weight_shape(case), case.dtype))
    with bb.function("main", [x, w]):
        with bb.dataflow():
            y = bb.emit(relax.op.nn.conv2d(
                x, w, strides=case.stride, padding=case.padding, dilation=case.dilation,
                groups=case.channels, data_layout=case.layout,
                kernel_layout="OIHW" if case.layout == "NCHW" else "HWOI", out_dtype=case.dtype))
            out = bb.emit_output(y)
        bb.emit_func_output(out)
    return bb.get()


RELAX_KERNELS = (
    Kernel(name="relax_conv2d", compute=relax_conv2d, space=CaseSpace(dtypes=DTYPES, lane_channels=True),
           description="relax.op.nn.conv2d(groups=C) in a Relax module, run by the Relax VM",
           kind="relax", weight_shape=grouped_weight_shape),
)

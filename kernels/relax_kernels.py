"""Relax paths: `relax.op.nn.conv2d(groups=C)` built by hand, and a `torch.nn.Conv2d(groups=C)`
exported with `torch.export` and imported by TVM's PyTorch frontend. Both run in the Relax VM."""
from __future__ import annotations

from kernels.kernel import Kernel
from model.optional import missing_package
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


def torch_exported(case):
    """`nn.ZeroPad2d` + `nn.Conv2d(groups=C)` through torch.export and TVM's torch frontend;
    the conv weight stays a function input (keep_params_as_input)."""
    import torch
    from tvm.relax.frontend.torch import from_exported_program

    torch_dtype = getattr(torch, case.dtype)
    model = torch.nn.Sequential(
        torch.nn.ZeroPad2d(case.torch_pad),
        torch.nn.Conv2d(case.channels, case.out_channels, (case.kernel_h, case.kernel_w),
                        stride=case.stride, dilation=case.dilation, groups=case.channels, bias=False),
    ).to(torch_dtype).eval()
    example = torch.zeros(case.input_shape, dtype=torch_dtype)
    program = torch.export.export(model, (example,))
    mod = from_exported_program(program, keep_params_as_input=True, unwrap_unit_return_tuple=True)
    # The importer records the weight's values as a "params" attribute; the values are inputs
    # here, and dropping it keeps the module printable as plain TVMScript for the repro.
    return mod.__class__({"main": mod["main"].without_attr("params")})


def _torch_frontend_missing() -> str | None:
    return missing_package("torch")


RELAX_KERNELS = (
    Kernel(name="relax_conv2d", compute=relax_conv2d, space=CaseSpace(dtypes=DTYPES),
           description="relax.op.nn.conv2d(groups=C) in a Relax module, run by the Relax VM",
           kind="relax", weight_shape=grouped_weight_shape),
    Kernel(name="torch_export", compute=torch_exported, space=CaseSpace(layouts=("NCHW",), dtypes=("float32",)),
           description="torch.nn.Conv2d(groups=C) via torch.export and tvm.relax.frontend.torch",
           kind="relax", weight_shape=grouped_weight_shape, unavailable=_torch_frontend_missing,
           example_share=0.25),
)

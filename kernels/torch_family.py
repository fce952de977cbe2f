"""The depthwise family through PyTorch: `Conv1d`/`Conv3d(groups=C)` behind the padding module of
the case's mode (`ZeroPad1d`, `ReflectionPad3d`...), and `ConvTranspose1d/2d/3d(groups=C)`
(symmetric padding: the only kind the module has), exported with `torch.export` and imported by
TVM's PyTorch frontend (`from_exported_program`), the weight a parameter of main."""
from __future__ import annotations

import functools

from findings.table import RELAX_CONV_TRANSPOSE, TORCH_FRONTEND
from kernels.family_kernels import FAMILY_SPACE, members
from kernels.kernel import Kernel
from kernels.torch_export import TORCH_DTYPES
from model.axis import LAYOUTS_BY_RANK
from model.case import PADDING_MODES
from model.epilogue import FAMILY_EPILOGUES, steps
from model.optional import missing_package
from model.space import CaseSpace


@functools.lru_cache(maxsize=1)
def conv_class():
    """A module of one optional padding layer and one convolution (defined on first use: torch is optional)."""
    import torch

    class Conv(torch.nn.Module):
        def __init__(self, pad, conv):
            super().__init__()
            self.pad = pad
            self.conv = conv

        def forward(self, data):
            return self.conv(self.pad(data) if self.pad is not None else data)

    return Conv


def family_module(case):
    """The case as a torch.nn model in the case's dtype."""
    import torch

    r, c = case.rank, case.channels
    bias = "bias" in steps(case.epilogue)
    if case.transposed:
        conv = getattr(torch.nn, f"ConvTranspose{r}d")(
            c, case.out_channels, case.kernel, stride=case.stride, padding=tuple(a.pad_before for a in case.axes),
            output_padding=case.output_padding, groups=c, bias=bias, dilation=case.dilation)
        pad = None
    else:
        conv = getattr(torch.nn, f"Conv{r}d")(c, case.out_channels, case.kernel, stride=case.stride, padding=0,
                                              dilation=case.dilation, groups=c, bias=bias)
        module = PADDING_MODES[case.padding_mode].torch_module + f"{r}d"
        pad = getattr(torch.nn, module)(case.torch_pad) if any(case.padding) else None
    return conv_class()(pad, conv).to(getattr(torch, case.dtype)).eval()


def weight_shape(case) -> tuple:
    """The convolution's weight as torch holds it: Conv (C*M, 1, *K); ConvTranspose (C, M, *K)."""
    return case.weight_shape if case.transposed else (case.out_channels, 1, *case.kernel)


def arguments(ex) -> dict:
    """What main takes: the data, the weight as torch holds it, and the bias where the case has one."""
    bias = {"bias": ex.extras["bias"]} if "bias" in steps(ex.case.epilogue) else {}
    return {"data": ex.data, "weight": ex.weight.reshape(weight_shape(ex.case)), **bias}


def torch_family(case):
    """main(data, weight): the exported model, imported with its weight as a parameter."""
    import torch
    from tvm.relax.frontend.torch import from_exported_program

    example = (torch.zeros(case.input_shape, dtype=getattr(torch, case.dtype)),)
    program = torch.export.export(family_module(case), example)
    mod = from_exported_program(program, keep_params_as_input=True, unwrap_unit_return_tuple=True)
    mod["main"] = mod["main"].without_attr("params")  # the values the importer recorded: inputs here
    return mod


def _torch_missing() -> str | None:
    return missing_package("torch")


# torch.export and the import cost about a second an example: half the family's share.
FRONTEND_SHARE = 0.5
FORWARD = Kernel(
    name="torch_family", compute=torch_family, kind="relax", weight_shape=weight_shape, unavailable=_torch_missing,
    example_share=FRONTEND_SHARE, arguments=arguments,
    reaches=(TORCH_FRONTEND,),
    space=CaseSpace(**{**FAMILY_SPACE, "ranks": (1, 3), "directions": (False,), "dtypes": TORCH_DTYPES,
                       "max_channels": 8}, layouts=(LAYOUTS_BY_RANK[1][0], LAYOUTS_BY_RANK[3][0]),
                    padding_modes=tuple(PADDING_MODES), epilogues=FAMILY_EPILOGUES),
    description="torch.nn Conv1d/Conv3d(groups=C) behind the padding module of the case's mode, via "
                "torch.export and tvm.relax.frontend.torch")
TRANSPOSED = Kernel(
    name="torch_family", compute=torch_family, kind="relax", weight_shape=weight_shape, unavailable=_torch_missing,
    example_share=FRONTEND_SHARE, arguments=arguments,
    reaches=(TORCH_FRONTEND, RELAX_CONV_TRANSPOSE),
    space=CaseSpace(**{**FAMILY_SPACE, "directions": (True,), "dtypes": TORCH_DTYPES, "max_channels": 8},
                    layouts=tuple(LAYOUTS_BY_RANK[r][0] for r in (1, 2, 3)), asymmetric_padding=False,
                    epilogues=FAMILY_EPILOGUES),
    description="torch.nn ConvTranspose1d/2d/3d(groups=C) (symmetric padding, output_padding), via "
                "torch.export and tvm.relax.frontend.torch")
TORCH_FAMILY_KERNELS = members(FORWARD) + members(TRANSPOSED)

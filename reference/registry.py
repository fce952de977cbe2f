"""The registered references: each one small object that says what it supports."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from model.axis import MEMBERS
from model.case import DTYPES, INTEGER_DTYPES, PADDING_MODES
from model.optional import missing_package
from reference.check import FRAMEWORKS, Check
from reference.gradients import numpy_gradients, torch_gradients
from reference.mxnet_reference import mxnet_reference
from reference.numpy_oracle import numpy_reference
from reference.onnxruntime_reference import ONNXRUNTIME_DTYPES, onnxruntime_reference
from reference.torch_reference import torch_reference


@dataclass(frozen=True)
class Reference(Check):
    """A way to compute the expected output of a case: a check column of the frameworks group.

    `exact` references compute in float64 and are the oracle; the others compute in the
    case's dtype and carry their own rounding error (see reference.tolerance). `gradients`,
    where given, computes (grad_data, grad_weight) for the backward kernels (NHWC).
    """

    name: str
    compute: Callable
    module: str | None = None
    exact: bool = False
    dtypes: tuple[str, ...] = DTYPES
    dtype_note: str = ""  # why the missing dtypes are missing
    gradients: Callable | None = None
    epilogues: bool = False  # computes the block around the convolution too (model/epilogue.py)
    padding_modes: tuple[str, ...] = ("zeros",)  # the borders it pads with (model/case.py PADDING_MODES)
    members: tuple[str, ...] = ("conv2d",)  # the members of the family it computes (model/axis.py MEMBERS)
    member_note: str = ""  # why the missing members are missing
    declines: Callable | None = None  # case -> why it computes this case wrong (a finding), or None

    group = FRAMEWORKS

    @property
    def claim(self) -> str:
        return (f"the output equals {self.name}'s float64 result within the error bound" if self.exact
                else f"the output agrees with {self.name}'s within both error bounds")

    def why_not(self, context) -> str | None:
        """Check's: whether this reference computes the example's case (its gradient on a gradient row)."""
        return self.why_unsupported(context.case, gradients=context.gradient is not None)

    def verdict(self, context):
        """Check's: the kernel's output against this reference (conformance/checks.py ExampleContext)."""
        return context.framework_verdict(self)

    def why_unavailable(self) -> str | None:
        return missing_package(self.module)

    def why_unsupported(self, case, gradients: bool = False) -> str | None:
        """None when this reference can compute `case` (its gradients, with `gradients`),
        else the reason it cannot."""
        if gradients and self.gradients is None:  # first: no need to import the package
            return f"{self.name} has no gradient reference here"
        missing = self.why_unavailable()
        if missing:
            return missing
        if case.op_name not in self.members:
            return f"{self.name} computes {'/'.join(self.members)} here, not {case.op_name}{self.member_note}"
        if case.dtype not in self.dtypes:
            return f"{self.name} does not compute {case.dtype}{self.dtype_note}"
        if case.epilogue and not self.epilogues:
            return f"{self.name} computes the bare convolution here, not the epilogue {case.epilogue}"
        if self.declines is not None and self.declines(case):
            return self.declines(case)
        if case.padding_mode not in self.padding_modes:
            return f"{self.name} pads with {'/'.join(self.padding_modes)} here, not {case.padding_mode}"
        return None


def mxnet_declines(case) -> str | None:
    """MXNet's float64 Deconvolution misplaces dilated taps at strides above 1."""
    if case.transposed and case.dtype == "float64" and any(a.dilation > 1 and a.stride > 1 for a in case.axes):
        return ("mxnet's float64 Deconvolution is wrong with a dilation and a stride above 1 "
                "(findings/mxnet-deconvolution-float64-dilation.md)")
    return None


def onnxruntime_declines(case) -> str | None:
    """onnxruntime's ConvTranspose takes output padding below the stride only."""
    if case.transposed and any(a.output_padding >= a.stride for a in case.axes):
        return ("onnxruntime's ConvTranspose refuses output padding of the stride or more (ONNX says 'less than the "
                "corresponding stride/dilation dimension'; onnxruntime reads it as the stride, PyTorch as either)")
    return None


REFERENCES: dict[str, Reference] = {
    ref.name: ref
    for ref in (
        Reference("numpy", numpy_reference, exact=True, gradients=numpy_gradients, epilogues=True,
                  dtypes=DTYPES + INTEGER_DTYPES, padding_modes=tuple(PADDING_MODES), members=MEMBERS),
        Reference("torch", torch_reference, module="torch", gradients=torch_gradients, epilogues=True,
                  dtypes=DTYPES + INTEGER_DTYPES, padding_modes=tuple(PADDING_MODES), members=MEMBERS),
        Reference("mxnet", mxnet_reference, module="mxnet", dtypes=("float32", "float64"),
                  members=tuple(m for m in MEMBERS if m != "conv3d_transpose"), declines=mxnet_declines,
                  member_note=" (MXNet 1.9.1's Deconvolution is 1-D/2-D natively; 3-D only through oneDNN, in "
                              "float32 without dilation)",
                  dtype_note=" (MXNet 1.9.1's CPU convolution takes float32/float64; float16 fails with "
                            "'FP16 gemm on cpu not implemented!')"),
        Reference("onnxruntime", onnxruntime_reference, module="onnxruntime", epilogues=True,
                  dtypes=ONNXRUNTIME_DTYPES, padding_modes=tuple(PADDING_MODES), members=MEMBERS,
                  declines=onnxruntime_declines,
                  dtype_note=" (its CPU execution provider's Conv has float32 and float16 kernels only: "
                             "NOT_IMPLEMENTED for float64 and bfloat16)"),
    )
}

"""The depthwise family through ONNX: one `Conv` or `ConvTranspose` (group = C) of rank 1, 2 or 3
(reference/onnx_graph.py `family_model`), imported by `tvm.relax.frontend.onnx.from_onnx` and
compiled for the target. Drawn with the case: the opset, and how a ConvTranspose states its
padding (explicit pads and output_padding, output_shape or an auto_pad rule where it gives the
case's pads: SAME_UPPER, SAME_LOWER, VALID)."""
from __future__ import annotations

import functools

from hypothesis import strategies as st

from findings.table import ONNX_FRONTEND, RELAX_CONV_TRANSPOSE, drawn_values
from kernels.family_kernels import FAMILY_SPACE, members
from kernels.kernel import Kernel
from model.axis import LAYOUTS_BY_RANK, RANKS
from model.case import DTYPES, PADDING_MODES
from model.epilogue import FAMILY_EPILOGUES
from model.optional import missing_package
from model.space import CaseSpace
from reference.onnx_graph import FAMILY_FORMS, OPSETS, family_arrays, family_forms, family_model, valid_opsets


DRAWN_FORMS = drawn_values("form", FAMILY_FORMS)  # findings/onnx-convtranspose-output-shape.md


def family_options(case) -> st.SearchStrategy[dict]:
    """The opset (one that takes the dtype and padding mode) and how the model states its padding
    (a form that gives the case's, else explicit pads); each one fixed-size choice, so shrinking
    the case leaves them in place."""
    return st.builds(functools.partial(_options, valid_opsets(case), family_forms(case)),
                     st.integers(0, len(OPSETS) - 1), st.sampled_from(DRAWN_FORMS))


def _options(opsets, forms: tuple, opset: int, form: str) -> dict:
    return {"opset": opsets[opset % len(opsets)], "form": form if form in forms else "pads"}


def drawn_family_model(case, options: dict):
    return family_model(case, options.get("opset", 13), options.get("form", "pads"))


def onnx_family(case, **options):
    """The kernel's module: the drawn ONNX model, imported."""
    from tvm.relax.frontend.onnx import from_onnx

    return from_onnx(drawn_family_model(case, options), keep_params_in_input=False)


def _onnx_missing() -> str | None:
    return missing_package("onnx")


def arguments(ex) -> dict:
    return family_arrays(ex.case, ex.data, ex.weight, **ex.extras)


ONNX_FAMILY = Kernel(
    name="onnx_family", compute=onnx_family, kind="relax", options=family_options, arguments=arguments,
    unavailable=_onnx_missing, reaches=(ONNX_FRONTEND, RELAX_CONV_TRANSPOSE), onnx_model=drawn_family_model,
    option_classes={"opset": OPSETS, "form": DRAWN_FORMS},
    space=CaseSpace(**{**FAMILY_SPACE, "dtypes": DTYPES, "max_channels": 8}, same_padding=True, epilogues=FAMILY_EPILOGUES,
                    layouts=tuple(LAYOUTS_BY_RANK[r][0] for r in RANKS), padding_modes=tuple(PADDING_MODES)),
    description="an ONNX Conv / ConvTranspose (group = C) via tvm.relax.frontend.onnx.from_onnx: pads, "
                "auto_pad (SAME_UPPER, SAME_LOWER, VALID), output_padding or output_shape, dilations, opsets "
                + ", ".join(map(str, OPSETS)))
# The forward 2-D member is onnx_import's (with its epilogues).
ONNX_FAMILY_KERNELS = members(ONNX_FAMILY, skip=("conv2d",))

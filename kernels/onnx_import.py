"""`onnx_import`: the depthwise block as an ONNX model (reference/onnx_graph.py: `Conv` with
group = C and C*M output channels, optional bias, then Relu / Clip(0, 6) / BatchNormalization /
Add / pointwise Convs), imported by `tvm.relax.frontend.onnx.from_onnx` and compiled for the
target: TVM's classic way in.

A padding mode other than zeros is a `Pad` node in front (mode reflect, edge, or wrap from opset
19). Drawn with the case: the padding form (explicit `pads`, or the `auto_pad` that gives the
case's padding: SAME_UPPER, SAME_LOWER, VALID), the opset (one that has the case's operators),
and whether the weights and the epilogue's parameters are graph inputs or initializers
(constants in the imported module).
"""
from __future__ import annotations

import dataclasses
import functools

from hypothesis import strategies as st

from findings.table import ONNX_FRONTEND
from kernels.kernel import Kernel
from model.case import DTYPES, PADDING_MODES, DepthwiseCase
from model.epilogue import EPILOGUES, MOBILENET_V2
from model.example import BOUND_INPUTS, INPUT_VALUES, seeded_arrays
from model.optional import missing_package
from model.padding import AUTO_PADS, auto_pads, same_padding
from model.space import CaseSpace
from strategies.pinned import CLASSIC_CASES
from reference.onnx_graph import OPSETS, onnx_arrays, onnx_model, valid_opsets

WEIGHTS = ("inputs", "initializers")
# Arrays that stay graph inputs when the weights are initializers: the activations.
ACTIVATIONS = ("data", "residual")


def block_model(case, auto_pad: str = "NOTSET", opset: int = 13, constants=None, padding_rule=None):
    """The ONNX model of `case`; with `constants` (the example's (seed, fraction bits)), the
    weights and parameters are its initializers. `padding_rule`: auto_pad -> the auto_pad the
    model says (a mutant's)."""
    initializers = None
    if constants is not None:
        data, weight, extras = seeded_arrays(case, *constants)
        arrays = onnx_arrays(case, {"data": data, "weight": weight, **extras})
        initializers = {name: a for name, a in arrays.items() if name not in ACTIVATIONS}
    return onnx_model(case, opset, padding_rule(auto_pad) if padding_rule else auto_pad, initializers)


def import_onnx(model):
    """What TVM's ONNX frontend makes of `model`: a Relax module whose main takes its graph inputs."""
    from tvm.relax.frontend.onnx import from_onnx

    return from_onnx(model, keep_params_in_input=False)


def drawn_model(case, options: dict, padding_rule=None):
    """block_model for the drawn options (the weights' form is in BOUND_INPUTS)."""
    return block_model(case, options.get("auto_pad", "NOTSET"), options.get("opset", 13), options.get(BOUND_INPUTS),
                       padding_rule)


def onnx_imported(case, padding_rule=None, **options):
    """The kernel's module: the drawn ONNX model, imported."""
    return import_onnx(drawn_model(case, options, padding_rule))


def arguments(ex) -> dict:
    """What main takes: the graph's inputs in ONNX's shapes (the activations alone when the
    weights are initializers)."""
    bound = dict(ex.options).get(BOUND_INPUTS) is not None
    return {name: a for name, a in onnx_arrays(ex.case, ex.arrays).items() if not bound or name in ACTIVATIONS}


# Drawn: the form the case's padding follows from (SAME_UPPER, SAME_LOWER or VALID, where one
# gives it; NOTSET otherwise), or explicit pads.
DRAWN_AUTO_PADS = ("derived", "NOTSET")


def onnx_options(case) -> st.SearchStrategy[dict]:
    """auto_pad (DRAWN_AUTO_PADS), the opset
    (one whose operators take the dtype) and the weights' form. Each is one fixed-size choice
    whatever the case, so shrinking the case leaves the choices after it in place."""
    return st.builds(functools.partial(_options, auto_pads(case), valid_opsets(case)),
                     st.sampled_from(DRAWN_AUTO_PADS), st.integers(0, len(OPSETS) - 1), st.sampled_from(WEIGHTS))


def _options(forms, opsets, auto_pad: str, opset: int, weights: str) -> dict:
    derived = (forms[1:] or forms)[0]
    return {"auto_pad": derived if auto_pad == "derived" else auto_pad, "opset": opsets[opset % len(opsets)],
            "weights": weights, BOUND_INPUTS: INPUT_VALUES if weights == "initializers" else None}


def padded_by(case, upper: bool):
    """`case` with its padding by the SAME rule."""
    top, left, bottom, right = same_padding(case, upper)
    return dataclasses.replace(case, pad_top=top, pad_left=left, pad_bottom=bottom, pad_right=right)


def pinned_models() -> list[tuple[str, object, dict]]:
    """Examples every run checks: the odd SAME pixel before (SAME_LOWER) and after (the classic
    MobileNet stride-2 layer, SAME_UPPER), VALID, each Pad mode, every drawn opset, initializers,
    bfloat16 at opset 22 through MobileNetV2's block."""
    base = DepthwiseCase(batch=2, channels=3, multiplier=2, height=7, width=6, kernel_h=2, kernel_w=3,
                         stride_h=1, stride_w=2, dilation_h=2)
    lower = padded_by(base, upper=False)
    blocks = [("same_lower", lower, "SAME_LOWER", "inputs"),
              ("pad_reflect", dataclasses.replace(lower, padding_mode="reflect"), "NOTSET", "inputs"),
              ("pad_edge_bias", dataclasses.replace(lower, padding_mode="replicate", epilogue="bias"), "NOTSET",
               "initializers"),
              ("pad_wrap", dataclasses.replace(lower, padding_mode="circular"), "NOTSET", "inputs"),
              ("valid", base, "VALID", "initializers"),
              ("bias_relu6_float16", dataclasses.replace(lower, dtype="float16", epilogue="bias+relu6"), "SAME_LOWER",
               "initializers"),
              ("mobilenet_bfloat16", dataclasses.replace(padded_by(base, upper=True), dtype="bfloat16",
                                                         epilogue=MOBILENET_V2), "SAME_UPPER", "initializers")]
    # TensorFlow's SAME padding of a 3x3 stride-2 MobileNet layer (strategies/pinned.py), as auto_pad.
    blocks.insert(3, ("mobilenet_same_stride2", CLASSIC_CASES["mobilenet_same_stride2"], "SAME_UPPER", "inputs"))
    examples = []
    for i, (name, case, auto_pad, weights) in enumerate(blocks):
        opsets = valid_opsets(case)
        options = _options(auto_pads(case), opsets, auto_pad, i, weights)
        examples.append((f"{name}_opset{options['opset']}", case, options))
    return examples


def _onnx_missing() -> str | None:
    return missing_package("onnx")


ONNX_IMPORT = Kernel(
    name="onnx_import", compute=onnx_imported, kind="relax",
    options=onnx_options, arguments=arguments, unavailable=_onnx_missing, pinned=pinned_models, classic_pinned=False,
    reaches=(ONNX_FRONTEND,),
    onnx_model=drawn_model,
    option_classes={"auto_pad": AUTO_PADS, "opset": OPSETS, "weights": WEIGHTS},
    space=CaseSpace(layouts=("NCHW",), dtypes=DTYPES, epilogues=EPILOGUES, same_padding=True, max_channels=8,
                    padding_modes=tuple(PADDING_MODES)),
    description="an ONNX Conv(group=C) and its epilogue (Relu, Clip, BatchNormalization, Add; "
                f"{MOBILENET_V2}) via tvm.relax.frontend.onnx.from_onnx: pads or auto_pad, opsets "
                f"{', '.join(map(str, OPSETS))}, weights as inputs or initializers",
    example_share=0.15)

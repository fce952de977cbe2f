"""ONNX graphs of a case: the depthwise `Conv` (group = C, C*M output channels), after a `Pad`
for a padding mode other than zeros, and its epilogue (model/epilogue.py) as ONNX operators,
built with `onnx.helper`. The onnxruntime reference and the onnx_import kernel both use it.

ONNX convolutions are NCHW; the graph's inputs are the example's arrays in ONNX's shapes
(`onnx_arrays`): the weight as (C*M, 1, KH, KW), the pointwise weights as (out, in, 1, 1).
"""
from __future__ import annotations

import numpy as np

from model.epilogue import BN_EPSILON, block_output_shape, parameter_shapes, steps

# The opsets drawn: Conv's versions are 1, 11 and 22 (22 adds bfloat16); Clip takes its bounds
# as inputs from 11; Relu, Add, BatchNormalization and Clip change versions at 13, 14 and 15.
OPSETS = (11, 13, 15, 18, 22)
BFLOAT16_OPSET = 22  # the first opset whose Conv takes bfloat16
ONNX_DTYPES = ("float32", "float64", "float16", "bfloat16")
# ONNX Pad's mode for each padding mode other than zeros (model/case.py), and the first opset
# that has it: reflect and edge since Pad took its pads as an input (11), wrap since 19.
PAD_MODES = {"reflect": ("reflect", 11), "replicate": ("edge", 11), "circular": ("wrap", 19)}


def least_opset(case) -> int:
    """The lowest opset whose operators express the case: its dtype (bfloat16 from 22) and its
    padding mode (Pad's mode)."""
    return max(BFLOAT16_OPSET if case.dtype == "bfloat16" else OPSETS[0],
               PAD_MODES[case.padding_mode][1] if case.padding_mode in PAD_MODES else OPSETS[0])


def valid_opsets(case) -> tuple[int, ...]:
    """The drawn opsets whose operators express the case."""
    return tuple(o for o in OPSETS if o >= least_opset(case))


def onnx_shapes(case) -> dict[str, tuple]:
    """name -> shape of each graph input, in order: the data (NCHW), the grouped weight, the epilogue's."""
    shapes = {"data": case.with_layout("NCHW").input_shape,
              "weight": (case.out_channels, 1, case.kernel_h, case.kernel_w)}
    for name, shape in parameter_shapes(case).items():
        if name == "residual":
            shape = parameter_shapes(case.with_layout("NCHW"))[name]
        shapes[name] = (*shape, 1, 1) if name.endswith("_weight") else shape
    return shapes


def onnx_arrays(case, arrays: dict) -> dict:
    """The example's arrays (case layout) as the graph takes them (NCHW, ONNX's weight shapes)."""
    data, weight = case.to_canonical(arrays["data"], arrays["weight"])
    canonical = {**arrays, "data": data, "weight": weight}
    if "residual" in arrays and case.layout == "NHWC":
        canonical["residual"] = np.asarray(arrays["residual"]).transpose(0, 3, 1, 2)
    return {name: np.ascontiguousarray(canonical[name]).reshape(shape) for name, shape in onnx_shapes(case).items()}


def onnx_model(case, opset: int = 13, auto_pad: str = "NOTSET", initializers: dict | None = None):
    """The case's block as an ONNX model: graph inputs named as in `onnx_shapes`, except those in
    `initializers` (name -> array in ONNX's shape), which are the graph's initializers.
    `auto_pad` other than NOTSET must give the case's padding (model/padding.py auto_pads)."""
    from onnx import helper, numpy_helper

    dtype = helper.np_dtype_to_tensor_dtype(np.dtype(case.dtype))
    initializers = initializers or {}
    parts = steps(case.epilogue)
    nodes, constants, pads_initializer = [], dict(initializers), []

    def node(op, inputs, **attributes):
        output = f"{op.lower()}_{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    x = node("Conv", ["data", "expand_weight"]) if "expand" in parts else "data"
    padding = {"pads": list(case.padding)} if auto_pad == "NOTSET" else {"auto_pad": auto_pad}
    if case.padding_mode in PAD_MODES:  # a border other than zeros: a Pad node, then an unpadded Conv
        pads = [0, 0, case.pad_top, case.pad_left, 0, 0, case.pad_bottom, case.pad_right]
        pads_initializer.append(numpy_helper.from_array(np.array(pads, np.int64), "pads"))
        x, padding = node("Pad", [x, "pads"], mode=PAD_MODES[case.padding_mode][0]), {"pads": [0, 0, 0, 0]}
    y = node("Conv", [x, "weight", *(["bias"] if "bias" in parts else [])], group=case.channels,
             kernel_shape=[case.kernel_h, case.kernel_w], strides=list(case.stride),
             dilations=list(case.dilation), **padding)
    if "bn" in parts:
        y = node("BatchNormalization", [y, "bn_gamma", "bn_beta", "bn_mean", "bn_var"], epsilon=BN_EPSILON)
    if "relu" in parts:
        y = node("Relu", [y])
    if "relu6" in parts:
        constants.update(clip_min=np.zeros((), case.dtype), clip_max=np.full((), 6, case.dtype))
        y = node("Clip", [y, "clip_min", "clip_max"])
    if "project" in parts:
        y = node("Conv", [y, "project_weight"])
    if "residual" in parts:
        y = node("Add", [y, "residual"])
    nodes.append(helper.make_node("Identity", [y], ["out"]))
    inputs = [helper.make_tensor_value_info(name, dtype, shape) for name, shape in onnx_shapes(case).items()
              if name not in initializers]
    output = helper.make_tensor_value_info("out", dtype, block_output_shape(case.with_layout("NCHW")))
    tensors = [numpy_helper.from_array(np.asarray(a, case.dtype), name) for name, a in constants.items()]
    graph = helper.make_graph(nodes, "depthwise_block", inputs, [output], initializer=pads_initializer + tensors)
    opsets = [helper.make_opsetid("", opset)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets),
                             producer_name="dwconf")


# ---- the family: Conv and ConvTranspose at any rank (no epilogue, zero padding) --------------
# How a ConvTranspose says its output size: explicit pads (and output_padding), or output_shape,
# from which ONNX derives the pads (the larger half first: only cases padded so can use it).
# How a family model states its padding: explicit pads (and output_padding), ConvTranspose's
# output_shape (ONNX derives the pads), or an auto_pad rule (model/padding.py family_auto_pads).
FAMILY_FORMS = ("pads", "output_shape", "SAME_UPPER", "SAME_LOWER", "VALID")


def family_forms(case) -> tuple[str, ...]:
    """The FAMILY_FORMS that give the case's padding: pads always; output_shape for a transposed
    case whose pads ONNX's rule gives; each auto_pad rule that gives them (zeros padding only)."""
    from model.padding import family_auto_pads

    forms = ["pads"]
    if case.transposed and case.padding_mode == "zeros" and output_shape_gives_pads(case):
        forms.append("output_shape")
    return (*forms, *(form for form in family_auto_pads(case) if form != "NOTSET"))


def output_shape_gives_pads(case) -> bool:
    """Whether ONNX's rule for output_shape (total padding split, the odd element first) gives
    the case's pads (ConvTranspose's spec, auto_pad NOTSET)."""
    return all(a.pad_before == (a.pad_before + a.pad_after) - (a.pad_before + a.pad_after) // 2 for a in case.axes)


def family_weight_shape(case) -> tuple:
    """The weight as ONNX takes it: Conv (C*M, 1, *K); ConvTranspose (C, M, *K), the case's own."""
    return (case.channels, case.multiplier, *case.kernel) if case.transposed else (case.out_channels, 1, *case.kernel)


def family_arrays(case, data, weight, **extras) -> dict:
    """data (channels first), weight and the bias where the case has one, as the family model's graph inputs."""
    x, w = case.to_canonical(data, weight)
    arrays = {"data": np.ascontiguousarray(x), "weight": np.ascontiguousarray(w).reshape(family_weight_shape(case))}
    if "bias" in steps(case.epilogue):
        arrays["bias"] = np.asarray(extras["bias"])
    return arrays


def family_model(case, opset: int = 13, form: str = "pads"):
    """One `Conv` or `ConvTranspose` (group = C, with the case's bias) of any rank, after a `Pad` for a padding mode
    other than zeros; `form` (FAMILY_FORMS) says how it states its padding, and must give the
    case's (family_forms)."""
    from onnx import helper, numpy_helper

    dtype = helper.np_dtype_to_tensor_dtype(np.dtype(case.dtype))
    attributes = dict(group=case.channels, kernel_shape=list(case.kernel), strides=list(case.stride),
                      dilations=list(case.dilation))
    if case.transposed:
        attributes["output_padding"] = list(case.output_padding)
    if form == "output_shape":
        attributes["output_shape"] = list(case.out_sizes)
    elif form == "pads":
        attributes["pads"] = list(case.padding)
    else:
        attributes["auto_pad"] = form
    nodes, initializers, x = [], [], "data"
    if case.padding_mode in PAD_MODES:  # a border other than zeros: a Pad node, then an unpadded Conv
        pads = [0, 0, *(a.pad_before for a in case.axes), 0, 0, *(a.pad_after for a in case.axes)]
        initializers.append(numpy_helper.from_array(np.array(pads, np.int64), "pads"))
        nodes.append(helper.make_node("Pad", ["data", "pads"], ["padded"], mode=PAD_MODES[case.padding_mode][0]))
        x, attributes["pads"] = "padded", [0] * (2 * case.rank)
    bias = ["bias"] if "bias" in steps(case.epilogue) else []
    nodes.append(helper.make_node("ConvTranspose" if case.transposed else "Conv", [x, "weight", *bias], ["out"],
                                  **attributes))
    canonical = case.with_layout(case.canonical_layout)
    inputs = [helper.make_tensor_value_info("data", dtype, canonical.input_shape),
              helper.make_tensor_value_info("weight", dtype, family_weight_shape(case)),
              *(helper.make_tensor_value_info("bias", dtype, (case.out_channels,)) for _ in bias)]
    output = helper.make_tensor_value_info("out", dtype, canonical.output_shape)
    graph = helper.make_graph(nodes, f"depthwise_{case.op_name}", inputs, [output], initializer=initializers)
    opsets = [helper.make_opsetid("", opset)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets),
                             producer_name="dwconf")

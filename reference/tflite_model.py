"""A TFLite model of one DEPTHWISE_CONV_2D, written with the `tflite` package's flatbuffer
builders (no TensorFlow): float32, or int8/uint8 with per-tensor or per-channel weight scales,
stride, dilation, SAME/VALID padding, depth multiplier, bias and a fused activation. Its bytes
are what LiteRT interprets (reference/litert_reference.py) and TVM's `from_tflite` imports.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.quantized import tflite_out_size

TENSOR_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int8": 9}  # tflite.TensorType
ACTIVATION_CODES = {"NONE": 0, "RELU": 1, "RELU6": 3}  # tflite.ActivationFunctionType
PADDING_CODES = {"SAME": 0, "VALID": 1}  # tflite.Padding
DEPTHWISE_CONV_2D = 4  # tflite.BuiltinOperator
DEPTHWISE_OPTIONS = 2  # tflite.BuiltinOptions.DepthwiseConv2DOptions
# Versions of DEPTHWISE_CONV_2D (tensorflow/lite/tools/versioning/op_version.cc): 2 with dilation,
# 3 for int8 with per-channel scales; every interpreter since takes them.
OP_VERSION = 3


@dataclass(frozen=True)
class Quantization:
    """Scales and zero points: one per tensor, or (weight) one per channel on `axis`."""

    scales: tuple
    zero_points: tuple
    axis: int = 0


def depthwise_model(input_shape: tuple, weight: np.ndarray, bias: np.ndarray | None, strides: tuple,
                    dilations: tuple, padding: str, activation: str, dtype: str,
                    quantization: dict | None = None) -> bytes:
    """The model's bytes: input (N, H, W, C) of `dtype`, weight (1, KH, KW, C * M) and bias
    constants, output (N, OH, OW, C * M). Quantized (`dtype` int8/uint8): `quantization` maps
    "input", "weight", "output" to a Quantization (the bias's: input scale x weight scale)."""
    import importlib

    import flatbuffers

    # The schema's builder functions live in its modules (tflite.Buffer...); the package's
    # top-level names are the reader classes.
    (Buffer, DepthwiseConv2DOptions, Model, Operator, OperatorCode, QuantizationParameters, SubGraph,
     Tensor) = (importlib.import_module(f"tflite.{name}") for name in (
        "Buffer", "DepthwiseConv2DOptions", "Model", "Operator", "OperatorCode", "QuantizationParameters",
        "SubGraph", "Tensor"))

    n, h, w, c = input_shape
    _, kh, kw, cm = weight.shape
    out_shape = (n, tflite_out_size(h, kh, strides[0], dilations[0], padding),
                 tflite_out_size(w, kw, strides[1], dilations[1], padding), cm)
    builder = flatbuffers.Builder(1024)

    def buffer(data: np.ndarray | None):
        payload = None if data is None else builder.CreateNumpyVector(np.frombuffer(data.tobytes(), np.uint8))
        Buffer.Start(builder)
        if payload is not None:
            Buffer.AddData(builder, payload)
        return Buffer.End(builder)

    def quantization_table(q: Quantization | None):
        if q is None:
            return None
        scales = builder.CreateNumpyVector(np.asarray(q.scales, np.float32))
        zero_points = builder.CreateNumpyVector(np.asarray(q.zero_points, np.int64))
        QuantizationParameters.Start(builder)
        QuantizationParameters.AddScale(builder, scales)
        QuantizationParameters.AddZeroPoint(builder, zero_points)
        QuantizationParameters.AddQuantizedDimension(builder, q.axis)
        return QuantizationParameters.End(builder)

    def tensor(name: str, shape, type_: str, buffer_index: int, q: Quantization | None):
        name_offset = builder.CreateString(name)
        shape_offset = builder.CreateNumpyVector(np.asarray(shape, np.int32))
        q_offset = quantization_table(q)
        Tensor.Start(builder)
        Tensor.AddShape(builder, shape_offset)
        Tensor.AddType(builder, TENSOR_TYPES[type_])
        Tensor.AddBuffer(builder, buffer_index)
        Tensor.AddName(builder, name_offset)
        if q_offset is not None:
            Tensor.AddQuantization(builder, q_offset)
        return Tensor.End(builder)

    quantized = dtype != "float32"
    q = quantization or {}
    bias_q = None
    if quantized and bias is not None:
        input_scale = np.float32(q["input"].scales[0])
        bias_q = Quantization(tuple(float(input_scale * np.float32(s)) for s in q["weight"].scales),
                              (0,) * len(q["weight"].scales), 0)
    # Buffer 0 is empty by convention; tensors: 0 input, 1 weight, 2 bias (optional), then the output.
    buffers = [buffer(None), buffer(None), buffer(weight), *([buffer(bias)] if bias is not None else []), buffer(None)]
    tensors = [tensor("input", input_shape, dtype, 1, q.get("input")),
               tensor("weight", weight.shape, dtype, 2, q.get("weight"))]
    if bias is not None:
        tensors.append(tensor("bias", bias.shape, "int32" if quantized else "float32", 3, bias_q))
    tensors.append(tensor("output", out_shape, dtype, len(buffers) - 1, q.get("output")))
    output_index = len(tensors) - 1

    DepthwiseConv2DOptions.Start(builder)
    DepthwiseConv2DOptions.AddPadding(builder, PADDING_CODES[padding])
    DepthwiseConv2DOptions.AddStrideH(builder, strides[0])
    DepthwiseConv2DOptions.AddStrideW(builder, strides[1])
    DepthwiseConv2DOptions.AddDepthMultiplier(builder, cm // c)
    DepthwiseConv2DOptions.AddFusedActivationFunction(builder, ACTIVATION_CODES[activation])
    DepthwiseConv2DOptions.AddDilationHFactor(builder, dilations[0])
    DepthwiseConv2DOptions.AddDilationWFactor(builder, dilations[1])
    options = DepthwiseConv2DOptions.End(builder)
    op_inputs = builder.CreateNumpyVector(np.asarray([0, 1, 2 if bias is not None else -1], np.int32))
    op_outputs = builder.CreateNumpyVector(np.asarray([output_index], np.int32))
    Operator.Start(builder)
    Operator.AddOpcodeIndex(builder, 0)
    Operator.AddInputs(builder, op_inputs)
    Operator.AddOutputs(builder, op_outputs)
    Operator.AddBuiltinOptionsType(builder, DEPTHWISE_OPTIONS)
    Operator.AddBuiltinOptions(builder, options)
    operator = Operator.End(builder)

    def offsets(start, items):
        start(builder, len(items))
        for item in reversed(items):
            builder.PrependUOffsetTRelative(item)
        return builder.EndVector()

    tensor_vector = offsets(SubGraph.StartTensorsVector, tensors)
    operator_vector = offsets(SubGraph.StartOperatorsVector, [operator])
    graph_inputs = builder.CreateNumpyVector(np.asarray([0], np.int32))
    graph_outputs = builder.CreateNumpyVector(np.asarray([output_index], np.int32))
    graph_name = builder.CreateString("main")
    SubGraph.Start(builder)
    SubGraph.AddTensors(builder, tensor_vector)
    SubGraph.AddInputs(builder, graph_inputs)
    SubGraph.AddOutputs(builder, graph_outputs)
    SubGraph.AddOperators(builder, operator_vector)
    SubGraph.AddName(builder, graph_name)
    subgraph = SubGraph.End(builder)

    OperatorCode.Start(builder)
    OperatorCode.AddDeprecatedBuiltinCode(builder, DEPTHWISE_CONV_2D)
    OperatorCode.AddBuiltinCode(builder, DEPTHWISE_CONV_2D)
    OperatorCode.AddVersion(builder, OP_VERSION)
    code = OperatorCode.End(builder)

    code_vector = offsets(Model.StartOperatorCodesVector, [code])
    subgraph_vector = offsets(Model.StartSubgraphsVector, [subgraph])
    buffer_vector = offsets(Model.StartBuffersVector, buffers)
    description = builder.CreateString("dwconf")
    Model.Start(builder)
    Model.AddVersion(builder, 3)
    Model.AddOperatorCodes(builder, code_vector)
    Model.AddSubgraphs(builder, subgraph_vector)
    Model.AddDescription(builder, description)
    Model.AddBuffers(builder, buffer_vector)
    builder.Finish(Model.End(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def case_model(case, arrays: dict) -> bytes:
    """The TFLite model of a QuantizedDepthwise (model/quantized.py) with its weight and bias."""
    outputs = case.channels * case.multiplier
    quantization = {
        "input": Quantization((case.input_scale,), (case.input_zero_point,)),
        # TFLite writes a depthwise weight's per-channel scales on its last axis (C * M).
        "weight": Quantization(case.weight_scales, (case.weight_zero_point,) * len(case.weight_scales),
                               3 if case.per_channel else 0),
        "output": Quantization((case.output_scale,), (case.output_zero_point,)),
    }
    bias = arrays.get("bias")
    assert bias is None or bias.shape == (outputs,)
    return depthwise_model(case.input_shape, arrays["weight"], bias, case.stride, case.dilation, case.padding,
                           case.activation, case.dtype, quantization)

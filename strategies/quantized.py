"""Quantized depthwise convolutions (model/quantized.py) with their own edges: scales spanning
decades, zero points at the ends of the range, values at -128/127/255, biases that dominate the
sum; and their arrays, from a seed."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from model.quantized import ACTIVATIONS, PADDINGS, QUANTIZED_DTYPES, QUANTIZED_RANGES, QuantizedDepthwise


def scales(low_exponent: int, high_exponent: int):
    """Positive scales over whole decades: a mantissa (simplest first) times a power of ten."""
    return st.builds(lambda mantissa, exponent: float(np.float32(mantissa * 10.0 ** exponent)),
                     st.sampled_from((1.0, 0.5, 0.25, 0.75, 0.3, 0.123, 0.999)),
                     st.integers(low_exponent, high_exponent))


def zero_points(dtype: str):
    low, high = QUANTIZED_RANGES[dtype]
    middle = 0 if dtype == "int8" else 128
    return st.one_of(st.just(middle), st.sampled_from((low, high)), st.integers(low, high))


@st.composite
def quantized_depthwise(draw, dtypes: tuple = QUANTIZED_DTYPES) -> QuantizedDepthwise:
    """A valid QuantizedDepthwise (its output has at least one element)."""
    dtype = draw(st.sampled_from(dtypes))
    per_channel = dtype == "int8" and draw(st.booleans())
    channels, multiplier = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    kernel = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding = draw(st.sampled_from(PADDINGS))
    smallest = [1 if padding == "SAME" else (k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    height, width = (draw(st.integers(low, low + 8)) for low in smallest)
    outputs = channels * multiplier
    weight_scales = tuple(draw(st.lists(scales(-4, 0), min_size=outputs, max_size=outputs))) if per_channel \
        else (draw(scales(-4, 0)),)
    return QuantizedDepthwise(
        channels=channels, multiplier=multiplier, height=height, width=width, kernel_h=kernel[0], kernel_w=kernel[1],
        stride=stride, dilation=dilation, padding=padding, activation=draw(st.sampled_from(ACTIVATIONS)),
        batch=draw(st.integers(1, 3)), dtype=dtype, per_channel=per_channel, input_scale=draw(scales(-4, 0)),
        input_zero_point=draw(zero_points(dtype)), weight_scales=weight_scales,
        weight_zero_point=0 if dtype == "int8" else draw(zero_points(dtype)), output_scale=draw(scales(-4, 1)),
        output_zero_point=draw(zero_points(dtype)), bias=draw(st.booleans()))


def quantized_arrays(case: QuantizedDepthwise, seed: int) -> dict:
    """data, weight and bias of the case: uniform over the dtype's range with a fifth of the values
    at its ends; the bias up to 2**20 either way, or zeros (TFLite's quantized depthwise
    convolution takes a bias tensor always)."""
    rng = np.random.default_rng(seed)
    low, high = QUANTIZED_RANGES[case.dtype]

    def values(shape):
        array = rng.integers(low, high + 1, size=shape)
        ends = rng.random(shape) < 0.2
        return np.where(ends, rng.choice((low, high), size=shape), array).astype(case.dtype)

    bias = rng.integers(-(1 << 20), 1 << 20, size=case.weight_shape[-1]) if case.bias else np.zeros(case.weight_shape[-1])
    return {"data": values(case.input_shape), "weight": values(case.weight_shape), "bias": bias.astype(np.int32)}

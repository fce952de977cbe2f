"""TFLite's quantized depthwise convolution, exactly: the integer oracle of a quantized row.

Written from TFLite's reference kernels (tensorflow/lite/kernels/internal/common.h and .cc,
reference/integer_ops/depthwise_conv.h, kernel_util.cc), the rules the TFLite interpreter's
reference op resolver computes by, bit for bit:

- the accumulator: sum over the taps inside the image of (input - input_zero_point) *
  (filter - filter_zero_point) in int32 (a tap outside the image adds nothing: padding with the
  input's zero point), plus the int32 bias;
- requantization: `MultiplyByQuantizedMultiplier(acc, multiplier, shift)`, where the real
  multiplier input_scale * filter_scale / output_scale (in double from the float32 scales for
  int8; for uint8 the two scales' product is rounded to float32 first, as
  `GetQuantizedConvolutionMultipler` does: 0.0075 * 0.75 / 0.0075 is then just below 0.75) is
  `QuantizeMultiplier`'d into an int32 in [2^30, 2^31) and a power of two; it is gemmlowp's
  `SaturatingRoundingDoublingHighMul` (halves rounded up: 1.5 -> 2, -1.5 -> -1) then
  `RoundingDivideByPOT` (halves away from zero): two roundings, not round-half-to-even, not a
  float product (so -14.4 becomes -15: -57.6 -> -58, then -14.5 -> -15; TFLite's optimized
  kernels round once and give -14);
- then the output zero point, then the clamp to the fused activation's range
  (`CalculateActivationRangeQuantized`: zero point + round(0 / scale), + round(6 / scale)).

Per-channel quantization gives each output channel its own filter scale (int8 filters have zero
point 0); per-tensor one scale for all (uint8 models: a filter zero point too).
"""
from __future__ import annotations

import math

import numpy as np

from model.quantized import ACTIVATIONS, QUANTIZED_RANGES

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def round_half_away(x: float) -> int:
    """std::round (TfLiteRound): halves away from zero."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: (multiplier, shift) with real == multiplier * 2**(shift - 31),
    the multiplier in [2**30, 2**31); (0, 0) for zero or a real below 2**-32."""
    if real == 0.0:
        return 0, 0
    fraction, shift = math.frexp(real)
    fixed = round_half_away(fraction * (1 << 31))
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        return (1 << 31) - 1, 30
    return fixed, shift


def _wrap_int32(x: np.ndarray) -> np.ndarray:
    return ((x.astype(np.int64) - INT32_MIN) % (1 << 32)) + INT32_MIN


def saturating_rounding_doubling_high_mul(a: np.ndarray, b: int) -> np.ndarray:
    """gemmlowp's: 2*a*b / 2**32 rounded, halves up (the nudge, then C++'s truncating division);
    INT32_MAX when both are INT32_MIN."""
    a = np.asarray(a, np.int64)
    product = a * np.int64(b)
    nudged = product + np.where(product >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(nudged >= 0, nudged // (1 << 31), -((-nudged) // (1 << 31)))  # C++ division truncates
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, high)


def rounding_divide_by_pot(x: np.ndarray, exponent: int) -> np.ndarray:
    """gemmlowp's: x / 2**exponent, rounded half away from zero."""
    x = np.asarray(x, np.int64)
    mask = (1 << exponent) - 1
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + ((x & mask) > threshold)


def multiply_by_quantized_multiplier(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """TFLite's MultiplyByQuantizedMultiplier (the double-rounding form its reference kernels use)."""
    left, right = max(shift, 0), max(-shift, 0)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(_wrap_int32(np.asarray(x, np.int64) << left),
                                                                        multiplier), right)


def activation_range(activation: str, scale: float, zero_point: int, dtype: str) -> tuple[int, int]:
    """CalculateActivationRangeQuantized: the clamp of a fused activation, in the output's integers."""
    low, high = QUANTIZED_RANGES[dtype]

    def quantize(f: float) -> int:
        return zero_point + round_half_away(float(np.float32(f) / np.float32(scale)))

    if activation == "NONE":
        return low, high
    if activation == "RELU":
        return max(low, quantize(0.0)), high
    if activation == "RELU6":
        return max(low, quantize(0.0)), min(high, quantize(6.0))
    raise ValueError(f"activation {activation!r} is not one of {', '.join(ACTIVATIONS)}")


def depthwise_accumulators(data: np.ndarray, weight: np.ndarray, strides, dilations, pads, input_zero_point: int,
                           weight_zero_point: int = 0) -> np.ndarray:
    """int64 sums of (input - zp) * (filter - filter zp) over the taps inside the image: data NHWC,
    weight TFLite's (1, KH, KW, C * M) (output channel c * M + m reads input channel c);
    `pads` (top, bottom, left, right)."""
    n, h, w, c = data.shape
    _, kh, kw, cm = weight.shape
    multiplier = cm // c
    top, bottom, left, right = pads
    padded = np.zeros((n, h + top + bottom, w + left + right, c), np.int64)
    padded[:, top:top + h, left:left + w] = data.astype(np.int64) - input_zero_point  # outside: adds nothing
    channels = np.repeat(padded, multiplier, axis=3)
    (sh, sw), (dh, dw) = strides, dilations
    out_h = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    out_w = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    taps = weight.astype(np.int64) - weight_zero_point
    acc = np.zeros((n, out_h, out_w, cm), np.int64)
    for y in range(kh):
        for x in range(kw):
            rows = channels[:, y * dh: y * dh + sh * (out_h - 1) + 1: sh]
            acc += rows[:, :, x * dw: x * dw + sw * (out_w - 1) + 1: sw] * taps[0, y, x]
    return acc


def requantize(acc: np.ndarray, bias: np.ndarray | None, input_scale: float, weight_scales, output_scale: float,
               output_zero_point: int, activation: str, dtype: str) -> np.ndarray:
    """The quantized output of int accumulators (..., C * M): bias, per-channel requantization
    (one weight scale: per tensor), the output zero point, the activation's clamp."""
    acc = np.asarray(acc, np.int64) + (0 if bias is None else np.asarray(bias, np.int64))
    scales = np.broadcast_to(np.asarray(weight_scales, np.float32), (acc.shape[-1],))
    out = np.empty_like(acc)
    for channel, weight_scale in enumerate(scales):
        if dtype == "uint8":  # GetQuantizedConvolutionMultipler: the scales' product rounded to float32 first
            real = float(np.float32(input_scale) * np.float32(weight_scale)) / float(np.float32(output_scale))
        else:  # PopulateConvolutionQuantizationParams' per-channel loop (int8, per-tensor too): in double
            real = float(np.float32(input_scale)) * float(np.float32(weight_scale)) / float(np.float32(output_scale))
        multiplier, shift = quantize_multiplier(real)
        out[..., channel] = multiply_by_quantized_multiplier(acc[..., channel], multiplier, shift)
    low, high = activation_range(activation, output_scale, output_zero_point, dtype)
    return np.clip(out + output_zero_point, low, high).astype(dtype)


def tflite_oracle(case, arrays: dict) -> np.ndarray:
    """The exact output of a QuantizedDepthwise (model/quantized.py) on its arrays (data, weight, bias)."""
    acc = depthwise_accumulators(arrays["data"], arrays["weight"], case.stride, case.dilation, case.pads,
                                 case.input_zero_point, case.weight_zero_point)
    return requantize(acc, arrays.get("bias"), case.input_scale, case.weight_scales, case.output_scale,
                      case.output_zero_point, case.activation, case.dtype)

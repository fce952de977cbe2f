"""Metamorphic relations: checks of a kernel against itself that need no second framework.

A relation turns an example into follow-up examples (a permuted, padded, strided, scaled...
version of it), says what the kernel's outputs on them must be, given its output on the
original, and how close they must come: bitwise, or within the error model's bound
(reference/tolerance.py with the case's dtype on both sides) where the follow-up legitimately
computes in another order. Relations run on every target a kernel runs on (local, GPU, RPC):
they compare the device's outputs with each other. All arrays are compared in NCHW order.

A relation that does not apply to a case (one channel, no padding, stride 1...) says why,
and the column shows a skip. The error model's magnitude (sum |x||w|, in float64 numpy)
sizes the bound of the two relations that are not bitwise; nothing else comes from numpy.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from model.example import ConvExample
from reference.block_oracle import numpy_block, output_nchw
from reference.tolerance import computed_in, error_bound, float_info

RELATIONS_GROUP = "relations"


@dataclass(frozen=True)
class FollowUp:
    """What a relation asks of the kernel: run `examples`; `combine` of their outputs must
    equal `expected` (NCHW) within `bound` (zero: bitwise, up to the sign of zero; a callable:
    the bound, computed only when the check runs)."""

    examples: tuple
    expected: np.ndarray
    combine: Callable
    bound: np.ndarray | float | Callable = 0.0


@dataclass(frozen=True)
class Relation:
    """A metamorphic relation: `derive(ex, actual)` is a FollowUp, or the reason it does not apply."""

    name: str
    claim: str  # what must hold, and why exactly or within which bound
    derive: Callable


# ---- arrays in canonical order (NCHW data, (C, M, KH, KW) weight, NCHW output) ---------------
def canonical(ex: ConvExample):
    return ex.case.to_canonical(ex.data, ex.weight)


def example(ex: ConvExample, case, data, weight) -> ConvExample:
    """A follow-up example of `case` from canonical arrays (put in `case`'s layout)."""
    if case.layout == "NHWC":
        data, weight = data.transpose(0, 2, 3, 1), weight.transpose(2, 3, 0, 1)
    return ConvExample(case, np.ascontiguousarray(data), np.ascontiguousarray(weight), ex.options)


def rng_of(ex: ConvExample) -> np.random.Generator:
    """Randomness fixed by the example, so a replay derives the same follow-ups."""
    return np.random.default_rng(zlib.crc32(ex.data.tobytes() + ex.weight.tobytes() + ex.case.summary().encode()))


def kernel_error_bound(ex: ConvExample) -> np.ndarray:
    """Two computations of the example by the kernel, each within Higham's bound (NCHW)."""
    case = ex.case
    _, magnitude, floor = numpy_block(case, ex.arrays)
    kernel_dtype = computed_in(case, ex.out_dtype)
    return output_nchw(case, error_bound(case, magnitude, kernel_dtype, kernel_dtype, floor))


# ---- the relations ---------------------------------------------------------------------------
def channel_permutation(ex, actual):
    case = ex.case
    if case.channels < 2:
        return "one channel: nothing to permute"
    perm = rng_of(ex).permutation(case.channels)
    if (perm == np.arange(case.channels)).all():
        perm = perm[::-1]
    data, weight = canonical(ex)
    out_channels = (perm[:, None] * case.multiplier + np.arange(case.multiplier)).ravel()
    return FollowUp((example(ex, case, data[:, perm], weight[perm]),), output_nchw(case, actual)[:, out_channels],
                    lambda outs: output_nchw(case, outs[0]))


def batch_split(ex, actual):
    case = ex.case
    if case.batch < 2:
        return "batch 1: nothing to split"
    data, weight = canonical(ex)
    one = replace(case, batch=1)
    runs = tuple(example(ex, one, data[n:n + 1], weight) for n in range(case.batch))
    return FollowUp(runs, output_nchw(case, actual),
                    lambda outs: np.concatenate([output_nchw(one, o) for o in outs], axis=0))


def explicit_padding(ex, actual):
    case = ex.case
    if not any(case.padding):
        return "no padding to make explicit"
    data, weight = canonical(ex)
    padded = np.pad(data, ((0, 0), (0, 0), (case.pad_top, case.pad_bottom), (case.pad_left, case.pad_right)))
    unpadded = replace(case, height=padded.shape[2], width=padded.shape[3], pad_top=0, pad_left=0,
                       pad_bottom=0, pad_right=0)
    return FollowUp((example(ex, unpadded, padded, weight),), output_nchw(case, actual),
                    lambda outs: output_nchw(unpadded, outs[0]))


def stride(ex, actual):
    case = ex.case
    if case.stride == (1, 1):
        return "stride 1: nothing to subsample"
    data, weight = canonical(ex)
    dense = replace(case, stride_h=1, stride_w=1)
    sh, sw = case.stride
    oh, ow = case.out_height, case.out_width
    return FollowUp((example(ex, dense, data, weight),), output_nchw(case, actual),
                    lambda outs: output_nchw(dense, outs[0])[:, :, ::sh, ::sw][:, :, :oh, :ow])


MAX_SCALE_EXPONENT = 40


def scaling(ex, actual):
    case = ex.case
    info = float_info(case.dtype)
    data, weight = canonical(ex)
    x = np.abs(data.astype(np.float64))
    w = np.abs(weight.astype(np.float64))
    smallest = x[x > 0].min(initial=np.inf) * w[w > 0].min(initial=np.inf)
    if smallest < float(info.tiny):
        return f"a product may be subnormal in {case.dtype}: scaling would change its rounding"
    # max |x| times the largest sum of |w| over one filter bounds every partial sum.
    magnitude = float(x.max(initial=0.0)) * float(w.sum(axis=(2, 3)).max(initial=0.0))
    largest = max(magnitude, float(x.max(initial=0.0)), float(w.max(initial=0.0)), 1.0)
    # Partial sums stay below the magnitude: 4x headroom keeps every scaled value finite.
    exponent = min(MAX_SCALE_EXPONENT, int(np.floor(np.log2(float(info.max) / (4 * largest)))))
    if exponent < 1:
        return f"no power of two scales the case without overflow in {case.dtype}"
    scaled = (data.astype(np.float64) * 2.0**exponent).astype(data.dtype)
    expected = (output_nchw(case, actual).astype(np.float64) * 2.0**exponent)
    return FollowUp((example(ex, case, scaled, weight),), expected,
                    lambda outs: output_nchw(case, outs[0]))


def layout(ex, actual):
    case = ex.case
    other = replace(case, layout="NHWC" if case.layout == "NCHW" else "NCHW")
    data, weight = canonical(ex)
    return FollowUp((example(ex, other, data, weight),), output_nchw(case, actual),
                    lambda outs: output_nchw(other, outs[0]), lambda: kernel_error_bound(ex))


MAX_SEPARATE_CHANNELS = 3


def per_channel(ex, actual):
    case = ex.case
    if case.channels < 2:
        return "one channel: already a single-channel convolution"
    data, weight = canonical(ex)
    chosen = sorted({0, case.channels - 1, int(rng_of(ex).integers(case.channels))})[:MAX_SEPARATE_CHANNELS]
    one = replace(case, channels=1)
    m = case.multiplier
    blocks = np.concatenate([np.arange(c * m, (c + 1) * m) for c in chosen])
    runs = tuple(example(ex, one, data[:, c:c + 1], weight[c:c + 1]) for c in chosen)
    return FollowUp(runs, output_nchw(case, actual)[:, blocks],
                    lambda outs: np.concatenate([output_nchw(one, o) for o in outs], axis=1))


def dilation(ex, actual):
    case = ex.case
    if case.dilation == (1, 1):
        return "dilation 1: nothing to spell out"
    data, weight = canonical(ex)
    dh, dw = case.dilation
    kh, kw = (case.kernel_h - 1) * dh + 1, (case.kernel_w - 1) * dw + 1
    spelled = np.zeros(weight.shape[:2] + (kh, kw), dtype=weight.dtype)
    spelled[:, :, ::dh, ::dw] = weight
    dense = replace(case, kernel_h=kh, kernel_w=kw, dilation_h=1, dilation_w=1)
    return FollowUp((example(ex, dense, data, spelled),), output_nchw(case, actual),
                    lambda outs: output_nchw(dense, outs[0]))


def zero_taps(ex, actual):
    case = ex.case
    data, weight = canonical(ex)
    dh, dw = case.dilation
    framed = np.pad(weight, ((0, 0), (0, 0), (1, 1), (1, 1)))
    wider = replace(case, kernel_h=case.kernel_h + 2, kernel_w=case.kernel_w + 2,
                    pad_top=case.pad_top + dh, pad_bottom=case.pad_bottom + dh,
                    pad_left=case.pad_left + dw, pad_right=case.pad_right + dw)
    return FollowUp((example(ex, wider, data, framed),), output_nchw(case, actual),
                    lambda outs: output_nchw(wider, outs[0]))


def mirror(ex, actual):
    case = ex.case
    left_over = (case.width + case.pad_left + case.pad_right - case.dilation_w * (case.kernel_w - 1) - 1) % case.stride_w
    if left_over:
        return f"stride {case.stride_w} leaves {left_over} column(s) unread: the mirror image reads other columns"
    data, weight = canonical(ex)
    mirrored = replace(case, pad_left=case.pad_right, pad_right=case.pad_left)
    return FollowUp((example(ex, mirrored, data[..., ::-1], weight[..., ::-1]),), output_nchw(case, actual)[..., ::-1],
                    lambda outs: output_nchw(mirrored, outs[0]), lambda: kernel_error_bound(ex)[..., ::-1])


SIGN_OF_ZERO = "bitwise up to the sign of zero"
RELATIONS: dict[str, Relation] = {r.name: r for r in (
    Relation("channel_permutation", "permuting the channels of input and weight permutes the output's channel "
             "blocks (c*M..c*M+M-1 move together): bitwise, every channel runs the same arithmetic",
             channel_permutation),
    Relation("batch_split", "each image of a batch run alone gives its slice of the batch's output: bitwise",
             batch_split),
    Relation("explicit_padding", "conv(pad(x), padding 0) == conv(x, padding p), asymmetric included: "
             f"{SIGN_OF_ZERO} (padding adds exact zero products)", explicit_padding),
    Relation("stride", "conv(x, stride s) == conv(x, stride 1)[::s, ::s]: bitwise, each kept element is the "
             "same sum in the same order", stride),
    Relation("scaling", "scaling the input by 2**k scales the output by 2**k: bitwise, as long as no value "
             "overflows or is subnormal (checked; k <= 40)", scaling),
    Relation("layout", "NCHW and NHWC of the same case agree within the error bound (the layouts may sum in "
             "other orders)", layout),
    Relation("per_channel", "a depthwise convolution is C single-channel convolutions, concatenated: bitwise "
             f"(up to {MAX_SEPARATE_CHANNELS} channels checked: first, last, one drawn)", per_channel),
    Relation("dilation", "dilation d == the kernel spelled out with d-1 zeros between taps, dilation 1: "
             f"{SIGN_OF_ZERO}", dilation),
    Relation("zero_taps", "a kernel framed by zero taps, with d more padding on each side, gives the same "
             f"output: {SIGN_OF_ZERO}", zero_taps),
    Relation("mirror", "mirroring input and kernel along W (left and right padding swapped) mirrors the "
             "output, within the error bound (the taps are summed in reverse order)", mirror),
)}

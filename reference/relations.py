"""Metamorphic relations: checks of a kernel against itself that need no second framework.

A relation turns an example into follow-up examples (a permuted, padded, strided, scaled...
version of it), says what the kernel's outputs on them must be, given its output on the
original, and how close they must come: bitwise, or within the error model's bound
(reference/tolerance.py with the case's dtype on both sides) where the follow-up legitimately
computes in another order. Relations run on every target a kernel runs on (local, GPU, RPC):
they compare the device's outputs with each other. All arrays are compared channels first (NCHW
in 2-D). Most relations hold for every member of the family (1-D, 2-D, 3-D, forward and
transposed); those that do not say so as their skip. Three tie the family together: the adjoint,
a stride-1 transposed convolution as a forward one, and rank lifting.

A relation that does not apply to a case (one channel, no padding, stride 1...) says why,
and the column shows a skip. The error model's magnitude (sum |x||w|, in float64 numpy)
sizes the bound of the two relations that are not bitwise; nothing else comes from numpy.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from model.axis import RANKS, crop_transposed
from model.example import ConvExample
from reference.block_oracle import numpy_block, output_nchw
from reference.tolerance import computed_in, error_bound, float_info, gamma

RELATIONS_GROUP = "relations"


@dataclass(frozen=True)
class FollowUp:
    """What a self-check asks of the kernel: run `examples`; `combine` of their outputs must
    equal `expected` (NCHW) within `bound` (zero: bitwise, up to the sign of zero; a callable:
    the bound, computed only when the check runs). A relation runs the row's kernel on its
    target; a differential (conformance/self_checks.py) runs another `kernel` or `target`."""

    examples: tuple
    expected: np.ndarray
    combine: Callable
    bound: np.ndarray | float | Callable = 0.0
    kernel: object = None  # None: the row's kernel
    target: object = None  # None: the row's target

    def runs(self, kernel, target) -> list[tuple]:
        """(kernel, target, example) of each run, the row's `kernel` and `target` where this names none."""
        return [(self.kernel or kernel, self.target or target, e) for e in self.examples]


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
    data, weight = case.from_canonical(data, weight)
    return ConvExample(case, np.ascontiguousarray(data), np.ascontiguousarray(weight), ex.options)


def rng_of(ex: ConvExample) -> np.random.Generator:
    """Randomness fixed by the example, so a replay derives the same follow-ups."""
    return np.random.default_rng(zlib.crc32(ex.data.tobytes() + ex.weight.tobytes() + ex.case.summary().encode()))


def kernel_error_bound(ex: ConvExample, against: str | None = None) -> np.ndarray:
    """Two computations of the example by the kernel, each within Higham's bound (channels
    first); `against="float64"`: one computation against the exact result."""
    case = ex.case
    _, magnitude, floor = numpy_block(case, ex.arrays)
    kernel_dtype = computed_in(case, ex.out_dtype)
    return output_nchw(case, error_bound(case, magnitude, kernel_dtype, against or kernel_dtype, floor))


def with_axes(case, **changes_of):
    """`case` with each Axis replaced by `changes_of[field](axis)` for the given fields."""
    return replace(case, axes=tuple(replace(a, **{name: f(a) for name, f in changes_of.items()}) for a in case.axes))


def spatial(rank: int) -> tuple:
    return tuple(range(2, rank + 2))


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
    if not any(case.padding) and not any(case.output_padding):
        return "no padding to make explicit"
    data, weight = canonical(ex)
    if case.transposed:  # the pads crop the uncropped output (its output padding: zeros after it)
        uncropped = with_axes(case, pad_before=lambda a: 0, pad_after=lambda a: 0, output_padding=lambda a: 0)
        return FollowUp((example(ex, uncropped, data, weight),), output_nchw(case, actual),
                        lambda outs: crop_transposed(case.axes, output_nchw(uncropped, outs[0])))
    padded = np.pad(data, ((0, 0), (0, 0), *case.pad_pairs))
    unpadded = with_axes(case, size=lambda a: a.size + a.pad_before + a.pad_after, pad_before=lambda a: 0,
                         pad_after=lambda a: 0)
    return FollowUp((example(ex, unpadded, padded, weight),), output_nchw(case, actual),
                    lambda outs: output_nchw(unpadded, outs[0]))


def stride(ex, actual):
    case = ex.case
    if case.transposed:
        return "a transposed convolution's stride spreads its input: no subsampling relation"
    if all(s == 1 for s in case.stride):
        return "stride 1: nothing to subsample"
    data, weight = canonical(ex)
    dense = with_axes(case, stride=lambda a: 1)
    kept = tuple(slice(0, o * s, s) for o, s in zip(case.out_sizes, case.stride))
    return FollowUp((example(ex, dense, data, weight),), output_nchw(case, actual),
                    lambda outs: output_nchw(dense, outs[0])[(slice(None), slice(None), *kept)])


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
    magnitude = float(x.max(initial=0.0)) * float(w.sum(axis=spatial(case.rank)).max(initial=0.0))
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
    other = case.with_layout(case.other_layout)
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
    if all(d == 1 for d in case.dilation):
        return "dilation 1: nothing to spell out"
    data, weight = canonical(ex)
    spelled = np.zeros(weight.shape[:2] + tuple(a.dilated_kernel for a in case.axes), dtype=weight.dtype)
    spelled[(slice(None), slice(None), *(slice(None, None, d) for d in case.dilation))] = weight
    dense = with_axes(case, kernel=lambda a: a.dilated_kernel, dilation=lambda a: 1)
    return FollowUp((example(ex, dense, data, spelled),), output_nchw(case, actual),
                    lambda outs: output_nchw(dense, outs[0]))


def zero_taps(ex, actual):
    case = ex.case
    data, weight = canonical(ex)
    framed = np.pad(weight, ((0, 0), (0, 0), *(((1, 1),) * case.rank)))
    wider = with_axes(case, kernel=lambda a: a.kernel + 2, pad_before=lambda a: a.pad_before + a.dilation,
                      pad_after=lambda a: a.pad_after + a.dilation)
    return FollowUp((example(ex, wider, data, framed),), output_nchw(case, actual),
                    lambda outs: output_nchw(wider, outs[0]))


def mirror(ex, actual):
    case = ex.case
    last = case.axes[-1]
    if case.transposed:
        if last.output_padding:
            return "output padding along the last axis: mirrored, its zeros would come first"
    else:
        left_over = (last.size + last.pad_before + last.pad_after - last.dilated_kernel) % last.stride
        if left_over:
            return (f"stride {last.stride} leaves {left_over} element(s) of the last axis unread: the mirror "
                    "image reads others")
    data, weight = canonical(ex)
    mirrored = replace(case, axes=(*case.axes[:-1], replace(last, pad_before=last.pad_after, pad_after=last.pad_before)))
    return FollowUp((example(ex, mirrored, data[..., ::-1], weight[..., ::-1]),), output_nchw(case, actual)[..., ::-1],
                    lambda outs: output_nchw(mirrored, outs[0]), lambda: kernel_error_bound(ex)[..., ::-1])


# ---- the relations that tie the family together ---------------------------------------------
def adjoint(ex, actual):
    """<conv(x), y> == <x, conv_transpose(y)>: one output block m (multiplier 1) of the case,
    and the other direction run on a drawn y of that block's shape."""
    case = ex.case
    rng = rng_of(ex)
    m = int(rng.integers(case.multiplier))
    data, weight = canonical(ex)
    one = replace(case, multiplier=1)
    w1 = weight[:, m:m + 1]
    forward_out = output_nchw(case, actual)[:, m::case.multiplier].astype(np.float64)
    if case.transposed:
        if any(a.output_padding >= a.stride for a in case.axes):
            return "output padding of a stride or more: the adjoint forward convolution's output has another size"
        other = with_axes(one, output_padding=lambda a: 0)
        other = replace(other, transposed=False, axes=tuple(replace(a, size=o) for a, o in zip(other.axes, one.out_sizes)))
    else:
        other = replace(one, transposed=True, axes=tuple(
            replace(a, size=o, output_padding=a.size - (o - 1) * a.stride - a.dilated_kernel + a.pad_before + a.pad_after)
            for a, o in zip(one.axes, one.out_sizes)))
    y = rng.standard_normal(forward_out.shape).astype(data.dtype)
    follow = example(ex, other, y, w1)
    x64, y64 = data.astype(np.float64), y.astype(np.float64)
    expected = np.array([np.sum(forward_out * y64)])

    seen = {}

    def combine(outs):
        back = output_nchw(other, outs[0]).astype(np.float64)
        if back.shape != x64.shape:
            raise ValueError(f"the adjoint's output is {back.shape}, the input {x64.shape}")
        seen["back"] = back
        return np.array([np.sum(x64 * back)])

    def bound():
        # each side's kernel error against the exact result, weighted by the vector it meets,
        # plus float64's rounding of the two sums of products
        mine = kernel_error_bound(ex, "float64")[:, m::case.multiplier]
        theirs = kernel_error_bound(follow, "float64")
        products = np.sum(np.abs(forward_out * y64)) + np.sum(np.abs(x64 * seen.get("back", 0.0)))
        rounding = gamma(max(x64.size, y64.size), "float64") * products
        return np.array([np.sum(mine * np.abs(y64)) + np.sum(theirs * np.abs(x64)) + rounding])

    return FollowUp((follow,), expected, combine, bound)


def transposed_as_forward(ex, actual):
    case = ex.case
    if not case.transposed:
        return "a forward case (the relation rewrites a transposed one)"
    if any(s != 1 for s in case.stride):
        return "stride > 1: a transposed convolution is a forward one over a zero-stuffed input"
    pads = [((a.dilated_kernel - 1) - a.pad_before, (a.dilated_kernel - 1) - a.pad_after + a.output_padding)
            for a in case.axes]
    if min(min(p) for p in pads) < 0:
        return "pads larger than the dilated kernel: the forward convolution would crop its input"
    data, weight = canonical(ex)
    forward = replace(case, transposed=False, axes=tuple(
        replace(a, pad_before=before, pad_after=after, output_padding=0) for a, (before, after) in zip(case.axes, pads)))
    flipped = np.ascontiguousarray(weight[(slice(None), slice(None), *((slice(None, None, -1),) * case.rank))])
    return FollowUp((example(ex, forward, data, flipped),), output_nchw(case, actual),
                    lambda outs: output_nchw(forward, outs[0]), lambda: kernel_error_bound(ex))


def impulse(ex, actual):
    """The response to a unit impulse at a drawn position of every channel is the kernel's taps,
    each where the definition puts it (at most one tap meets an output element per axis)."""
    case = ex.case
    data, weight = canonical(ex)
    rng = rng_of(ex)
    position = tuple(int(rng.integers(a.size)) for a in case.axes)
    unit = np.zeros_like(data)
    unit[(slice(None), slice(None), *position)] = 1
    expected = np.zeros((case.batch, case.channels, case.multiplier, *case.out_sizes), dtype=weight.dtype)
    for tap in np.ndindex(*case.kernel):
        if case.transposed:  # input p scatters to p*s + t*d - pad_before
            at = [p * a.stride + t * a.dilation - a.pad_before for p, t, a in zip(position, tap, case.axes)]
        else:  # output o gathers input o*s + t*d - pad_before: o = (p + pad_before - t*d) / s
            offsets = [p + a.pad_before - t * a.dilation for p, t, a in zip(position, tap, case.axes)]
            if any(o % a.stride for o, a in zip(offsets, case.axes)):
                continue
            at = [o // a.stride for o, a in zip(offsets, case.axes)]
        if all(0 <= i < n for i, n in zip(at, case.out_sizes)):
            expected[(slice(None), slice(None), slice(None), *at)] = weight[(slice(None), slice(None), *tap)]
    expected = expected.reshape(case.batch, case.out_channels, *case.out_sizes)
    return FollowUp((example(ex, case, unit, weight),), expected, lambda outs: output_nchw(case, outs[0]))


def rank_lifting(ex, actual):
    case = ex.case
    if case.rank == max(RANKS):
        return f"rank {case.rank}: no rank above to lift it to"
    data, weight = canonical(ex)
    lifted = case.lifted()
    return FollowUp((example(ex, lifted, data[:, :, None], weight[:, :, None]),), output_nchw(case, actual),
                    lambda outs: output_nchw(lifted, outs[0])[:, :, 0], lambda: kernel_error_bound(ex))


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
    Relation("mirror", "mirroring input and kernel along the last axis (W; its padding pair swapped) mirrors "
             "the output, within the error bound (the taps are summed in reverse order)", mirror),
    Relation("adjoint", "<conv(x), y> == <x, conv_transpose(y)> (one output block, multiplier 1; the other "
             "direction on a drawn y), within the kernels' error bounds weighted by the vectors they meet, plus "
             "float64's rounding of the two sums", adjoint),
    Relation("transposed_as_forward", "a stride-1 transposed convolution is the forward one with the kernel "
             "flipped and padding dil*(k-1)-p (output padding added after): within the error bound", transposed_as_forward),
    Relation("impulse", "a unit impulse in every channel gives the kernel's taps where the definition puts "
             f"them (a gather forward, a scatter transposed): {SIGN_OF_ZERO} (one product by 1 per element)", impulse),
    Relation("rank_lifting", "a case equals the case one rank up with a size-1 axis in front (1-D as 2-D with "
             "H = 1, 2-D as 3-D with D = 1): within the error bound (another operator may sum in another order)",
             rank_lifting),
)}

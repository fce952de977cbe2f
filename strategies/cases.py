"""Hypothesis strategies that draw valid `DepthwiseCase`s, biased towards the edges.

Validity is built into the draw, never `assume`d: the input size is drawn after the
kernel, dilation and padding, from a range that leaves an output of at least 1x1, and
the channel count is drawn last, from what the work budget has left.
"""
from __future__ import annotations

import functools

from hypothesis import strategies as st

from model.case import DepthwiseCase
from model.space import CaseSpace

PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23)

# The strategy factories below are cached: building and validating a fresh strategy object
# for every draw cost about a third of the drawing time (measured with cProfile).
@functools.lru_cache(maxsize=4096)
def edge_biased(lo: int, hi: int) -> st.SearchStrategy[int]:
    """Integers in [lo, hi], with the bounds and the primes in range drawn more often.

    Shrinks towards `lo`: the plain integers come first, so the shrinker can move a
    special value onto that branch and then lower it one step at a time (with the
    specials first it could only hop between specials).
    """
    if hi <= lo:
        return st.just(lo)
    specials = [lo, hi] + [p for p in PRIMES if lo < p < hi]
    # Not one integer choice mapped onto values and specials, though that draws 12 % faster:
    # Hypothesis then stays near the smallest values, and with the ci profile's derandomized
    # 60 examples two thirds had 1x1 kernels and the transposed-kernel mutant survived.
    return st.one_of(st.integers(lo, hi), st.sampled_from(specials))


@functools.lru_cache(maxsize=1024)
def padding_pairs(dilated_kernel: int, asymmetric: bool) -> st.SearchStrategy[tuple[int, int]]:
    return _padding_pairs(dilated_kernel, asymmetric)


@functools.lru_cache(maxsize=4096)
def input_extent(dilated_kernel: int, pad_before: int, pad_after: int, max_extent: int) -> st.SearchStrategy[int]:
    return _input_extent(dilated_kernel, pad_before, pad_after, max_extent)


@st.composite
def _padding_pairs(draw, dilated_kernel: int, asymmetric: bool) -> tuple[int, int]:
    """(before, after) padding of one axis: none, as large as the kernel, or larger."""
    upper = dilated_kernel + 1
    before = draw(edge_biased(0, upper))
    if not asymmetric:
        return before, before
    # `after` is drawn before the symmetry flag, so shrinking the flag to False (asymmetric)
    # leaves every other choice where it was, and `after` then shrinks to 0 on its own.
    after = draw(edge_biased(0, upper))
    symmetric = draw(st.booleans())
    return before, before if symmetric else after


@st.composite
def _input_extent(draw, dilated_kernel: int, pad_before: int, pad_after: int, max_extent: int) -> int:
    """An input length that leaves at least one output; its lower edge makes the kernel
    cover the whole padded input."""
    smallest = max(1, dilated_kernel - pad_before - pad_after)
    return draw(edge_biased(smallest, smallest + max_extent))


@functools.lru_cache(maxsize=256)
def first_biased(values: tuple) -> st.SearchStrategy:
    """One of `values`, the first (float32, the deployed dtype) about half the time."""
    return st.one_of(st.just(values[0]), st.sampled_from(values))


@st.composite
def depthwise_cases(draw, space: CaseSpace = CaseSpace()) -> DepthwiseCase:
    """A valid depthwise convolution inside `space`, within its work budget."""
    layout = draw(st.sampled_from(space.layouts))
    dtype = draw(first_biased(space.dtypes))
    kernel_h = draw(edge_biased(1, space.max_kernel))
    kernel_w = draw(edge_biased(1, space.max_kernel))
    dilation_h = draw(edge_biased(1, space.max_dilation))
    dilation_w = draw(edge_biased(1, space.max_dilation))
    # Strides past the kernel skip input pixels entirely: a classic indexing edge.
    stride_h = draw(edge_biased(1, max(space.max_stride, kernel_h + 1)))
    stride_w = draw(edge_biased(1, max(space.max_stride, kernel_w + 1)))
    dk_h = dilation_h * (kernel_h - 1) + 1
    dk_w = dilation_w * (kernel_w - 1) + 1
    pad_top, pad_bottom = draw(padding_pairs(dk_h, space.asymmetric_padding))
    pad_left, pad_right = draw(padding_pairs(dk_w, space.asymmetric_padding))
    height = draw(input_extent(dk_h, pad_top, pad_bottom, space.max_extent))
    width = draw(input_extent(dk_w, pad_left, pad_right, space.max_extent))
    multiplier = draw(edge_biased(1, space.max_multiplier))

    geometry = DepthwiseCase(
        height=height, width=width, kernel_h=kernel_h, kernel_w=kernel_w,
        stride_h=stride_h, stride_w=stride_w, pad_top=pad_top, pad_left=pad_left,
        pad_bottom=pad_bottom, pad_right=pad_right, dilation_h=dilation_h,
        dilation_w=dilation_w, multiplier=multiplier, layout=layout, dtype=dtype,
    )
    per_image_channel = geometry.work  # batch = channels = 1
    affordable = max(1, space.max_work // per_image_channel)
    batch = draw(edge_biased(1, min(space.max_batch, affordable)))
    channels = draw(edge_biased(1, min(space.max_channels, max(1, affordable // batch))))
    return DepthwiseCase(**{**geometry.to_dict(), "batch": batch, "channels": channels})

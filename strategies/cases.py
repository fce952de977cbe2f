"""Hypothesis strategies that draw valid `DepthwiseCase`s, biased towards the edges.

Validity is built into the draw, never `assume`d: the input size is drawn after the
kernel, dilation and padding, from a range that leaves an output of at least 1x1, and
the channel count is drawn last, from what the work budget has left.
"""
from __future__ import annotations

import dataclasses
import functools
import math

from hypothesis import strategies as st

from model.axis import Axis
from model.case import DepthwiseCase
from model.epilogue import FAMILY_EPILOGUES
from model.padding import same_pads, transposed_same_pads
from model.space import CaseSpace

PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23)
# Output row lengths just below, at and above SIMD lane counts and tile factors: where a vector
# loop's body ends and its tail begins. The short ones (3..9) the plain lengths reach often
# enough; these are the long rows a tail bug needs (15, 16, 17, 31, 32, 33, 63, 64, 65).
LANE_EDGES = tuple(sorted({n + d for n in (16, 32, 64) for d in (-1, 0, 1)}))
SAME_RULES = (None, True, False)  # drawn pads; SAME_UPPER; SAME_LOWER (model/padding.py)

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
    """(before, after) padding of one axis: none, as large as the kernel, or larger.

    Asymmetric spaces draw the pair as ONE choice from a list ordered by simplicity ((0, 0),
    (1, 0), (0, 1), (1, 1), (2, 0), ...), symmetric pairs repeated so that they make up about
    half of it: the shrinker then reaches (1, 0) or (0, 1) from (1, 1) in one step, whichever
    side the bug needs. Drawn as before, after and a symmetry flag, a failure first found at
    (1, 1) stuck there when the bug needed the side the flag did not keep (measured on a toy
    with a top-only and a right-only bug: 23 of 40 seeds reached (0, 1); 40 of 40 now)."""
    if not asymmetric:
        return _symmetric_padding(dilated_kernel + 1)
    upper = dilated_kernel + 1
    pairs = [(before, after) for before in range(upper + 1) for after in range(upper + 1)]
    pairs += [(both, both) for both in range(upper + 1) for _ in range(upper)]
    return st.sampled_from(sorted(pairs, key=lambda pair: (max(pair), sum(pair), pair[1])))


@functools.lru_cache(maxsize=4096)
def input_extent(dilated_kernel: int, pad_before: int, pad_after: int, max_extent: int,
                 at_least: int = 1) -> st.SearchStrategy[int]:
    return _input_extent(dilated_kernel, pad_before, pad_after, max_extent, at_least)


@st.composite
def _symmetric_padding(draw, upper: int) -> tuple[int, int]:
    both = draw(edge_biased(0, upper))
    return both, both


@functools.lru_cache(maxsize=4096)
def row_extent(dilated_kernel: int, pad_before: int, pad_after: int, stride: int, max_extent: int,
               max_row: int, per_output: int, per_input: int, budget: int, at_least: int = 1) -> st.SearchStrategy[int]:
    """An input row length (W, the axis kernels vectorize): as for the height, or the one that
    gives an output row of a lane-width edge (LANE_EDGES), as long as `max_row` and `budget`
    allow (an output column costs `per_output`, an input column `per_input`). The edge is drawn
    as the output length, so it stays put while the shrinker lowers padding, stride or kernel
    around it. Shrinks towards the plain lengths. `at_least`: as for the height."""
    smallest = max(1, dilated_kernel - pad_before - pad_after, at_least)
    longest = max(smallest, min(max_row, (budget - per_output) // max(1, per_output + per_input)))

    def input_for(out: int) -> int:
        return min(max((out - 1) * stride + dilated_kernel - pad_before - pad_after, smallest), longest)

    return st.one_of(edge_biased(smallest, smallest + max_extent), st.sampled_from(LANE_EDGES).map(input_for))


@st.composite
def _input_extent(draw, dilated_kernel: int, pad_before: int, pad_after: int, max_extent: int, at_least: int) -> int:
    """An input length that leaves at least one output, and is at least `at_least` (what the
    padding mode needs: model/case.py); its lower edge makes the kernel cover the whole padded input."""
    smallest = max(1, dilated_kernel - pad_before - pad_after, at_least)
    return draw(edge_biased(smallest, smallest + max_extent))


def mode_extent(mode: str, pad_before: int, pad_after: int) -> int:
    """The shortest axis a padding mode can pad by these pads (model/case.py)."""
    longest_pad = max(pad_before, pad_after)
    return max(1, longest_pad + 1 if mode == "reflect" else longest_pad if mode == "circular" else 1)


@functools.lru_cache(maxsize=1024)
def channel_count(most: int, most_at_edges: int) -> st.SearchStrategy[int]:
    """C in [1, most], edge-biased; where `most_at_edges` allows, also a count at a lane-width edge
    (15/16/17, 31/32/33, 63/64/65): in a channels-last layout C is the vectorized axis, and a
    bug in its vector tail needs more channels than the plain draw reaches."""
    plain = edge_biased(1, most)
    edges = tuple(c for c in LANE_EDGES if most < c <= most_at_edges)
    return st.one_of(plain, st.sampled_from(edges)) if edges else plain


@functools.lru_cache(maxsize=256)
def first_biased(values: tuple) -> st.SearchStrategy:
    """One of `values`, the first (float32, the deployed dtype) about half the time."""
    return st.one_of(st.just(values[0]), st.sampled_from(values))


# A transposed axis' size is drawn as an offset above the smallest valid one (or as the output
# length of a lane-width edge): neither choice depends on the pads, stride or kernel drawn before
# it, so the shrinker can lower those and the size's choice still means the same thing (drawn
# between bounds that moved with the pads, it was re-read, and a shrink of the crop mutant stalled
# at pad_left=4 where pad_left=1 shows the bug).
@functools.lru_cache(maxsize=64)
def size_choice(max_extent: int, innermost: bool) -> st.SearchStrategy[tuple]:
    """("offset", k) above the smallest valid size, or ("lane", L): an output of length L."""
    offsets = edge_biased(0, max_extent).map(lambda k: ("offset", k))
    return st.one_of(offsets, st.sampled_from(LANE_EDGES).map(lambda L: ("lane", L))) if innermost else offsets


def transposed_size(choice: tuple, axis_kernel: int, stride: int, pad_before: int, pad_after: int,
                    output_padding: int, max_row: int, per_input: int, budget: int) -> int:
    """An input length of a transposed axis that leaves at least one output element (the crop by
    the pads is shorter than the scattered length): the smallest plus an offset, or the input
    giving an output of a lane-width length, within `budget` (an input column costs `per_input`)."""
    need = pad_before + pad_after + 1 - axis_kernel - output_padding  # (n - 1) * stride must reach it
    smallest = max(1, 1 - (-need // stride))
    kind, value = choice
    if kind == "offset":
        return smallest + value
    longest = max(smallest, min(max_row, budget // max(1, per_input)))
    return min(max(-(-(value - axis_kernel - output_padding + pad_before + pad_after) // stride) + 1, smallest), longest)


@st.composite
def depthwise_cases(draw, space: CaseSpace = CaseSpace()) -> DepthwiseCase:
    """A valid depthwise convolution inside `space`, within its work budget.

    Parameters are drawn kind by kind across the axes (every kernel, every dilation...), outer
    axes first, so a 2-D forward case is drawn by the same choices whatever the space's other
    ranks; the rank and the direction are drawn first (where the space has several), so that a
    failure shrinks to the first of each."""
    rank = draw(st.sampled_from(space.ranks)) if len(space.ranks) > 1 else space.ranks[0]
    transposed = draw(st.sampled_from(space.directions)) if len(space.directions) > 1 else space.directions[0]
    layout = draw(st.sampled_from(space.layouts_of_rank(rank)))
    dtype = draw(first_biased(space.dtypes))
    # A space of a frontend that derives padding from the shapes (model/padding.py) pads a third
    # of its cases by the SAME rule, after the odd pixel (upper) or before it; None (drawn pads)
    # comes first, so a failure shrinks towards explicit padding. A SAME case's innermost kernel
    # is at least 2 wide, so that it pads something (a 1x1 kernel at stride 1 pads nothing).
    same = draw(st.sampled_from(SAME_RULES)) if space.same_padding else None
    # The padding mode (zeros about half the time, and what a failure shrinks to); reflect and
    # circular borders are copied from the input, so each axis is drawn long enough for its pads.
    # A transposed convolution crops its output instead: zeros only.
    modes = ("zeros",) if transposed else space.padding_modes
    mode = draw(first_biased(modes)) if len(modes) > 1 else modes[0]
    kernels = [draw(edge_biased(1 if same is None or i < rank - 1 else 2, space.max_kernel)) for i in range(rank)]
    # Square (cubic) kernels half the time: a transposed read is invisible in any other. The flag
    # comes after the drawn kernels, which stay drawn (and shrink to 1 unused), so the flag
    # shrinking to False leaves every other choice in place; a one_of with a just() branch
    # instead shifted the later choices and stalled the shrinker (measured with the mutants).
    if rank > 1 and draw(st.booleans()):
        kernels = [kernels[0]] * rank
    dilations = [draw(edge_biased(1, space.most_dilation(transposed))) for _ in range(rank)]
    # Strides past the kernel skip input pixels entirely: a classic indexing edge.
    strides = [draw(edge_biased(1, max(space.max_stride, k + 1))) for k in kernels]
    dilated = [d * (k - 1) + 1 for k, d in zip(kernels, dilations)]
    if same is None:
        pads = [draw(padding_pairs(dk, space.asymmetric_padding)) for dk in dilated]
    # Output padding (transposed): below max(stride, dilation), PyTorch's and ONNX's rule.
    output_paddings = [draw(edge_biased(0, max(s, d) - 1)) if transposed else 0 for s, d in zip(strides, dilations)]
    if same is not None and transposed:  # ConvTranspose's SAME: an output stride times the input, whatever its size
        pads = [transposed_same_pads(Axis(1, k, s, 0, 0, d, op), same) or (0, 0)  # (0, 0): the rule would grow it
                for k, s, d, op in zip(kernels, strides, dilations, output_paddings)]
    multiplier = draw(edge_biased(1, space.max_multiplier))
    taps = multiplier * math.prod(kernels)
    sizes = []
    if transposed:
        for i in range(rank):
            inner = i == rank - 1
            choice = draw(size_choice(space.max_extent, inner))
            sizes.append(transposed_size(choice, dilated[i], strides[i], *pads[i], output_paddings[i], space.max_row,
                                         math.prod(sizes) * (taps + 1 + multiplier * strides[i]), space.max_work))
    elif same is None:
        outs = []
        for i in range(rank - 1):
            sizes.append(draw(input_extent(dilated[i], *pads[i], space.max_extent, mode_extent(mode, *pads[i]))))
            outs.append((sizes[-1] + sum(pads[i]) - dilated[i]) // strides[i] + 1)
        sizes.append(draw(row_extent(dilated[-1], *pads[-1], strides[-1], space.max_extent, space.max_row,
                                     math.prod(outs) * taps, math.prod(sizes), space.max_work,
                                     mode_extent(mode, *pads[-1]))))
    else:  # any extent works: SAME pads to an output of ceil(extent / stride), each side at most half the kernel
        least = [mode_extent(mode, -(-(dk - 1) // 2), 0) for dk in dilated]
        sizes = [draw(edge_biased(lo, lo + space.max_extent)) for lo in least]
        pads = [same_pads(n, dk, s, same) for n, dk, s in zip(sizes, dilated, strides)]

    axes = tuple(Axis(n, k, s, before, after, d, op) for n, k, s, (before, after), d, op
                 in zip(sizes, kernels, strides, pads, dilations, output_paddings))
    geometry = DepthwiseCase(multiplier=multiplier, axes=axes, transposed=transposed, layout=layout, dtype=dtype,
                             padding_mode=mode)
    per_image_channel = geometry.work  # batch = channels = 1
    affordable = max(1, space.max_work // per_image_channel)
    batch = draw(edge_biased(1, min(space.max_batch, affordable)))
    channels = draw(channel_count(min(space.max_channels, max(1, affordable // batch)),
                                  max(1, affordable // batch) if space.lane_channels and geometry.channels_last else 0))
    # Last, so that a failure shrinks the block before (and without moving) the geometry.
    epilogues = (("",) if geometry.is_integer else space.epilogues if rank == 2 and not transposed
                 else tuple(e for e in space.epilogues if e in FAMILY_EPILOGUES))
    epilogue = draw(st.sampled_from(epilogues)) if len(epilogues) > 1 else epilogues[0]
    return dataclasses.replace(geometry, batch=batch, channels=channels, epilogue=epilogue)


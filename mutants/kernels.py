"""Realistic depthwise-convolution bugs, each a mutation of the seed's TE compute.

Each `Mutant` says which case the bug needs at least (`needs`): the suite must catch the
mutant and shrink its counterexample to a case no larger than that (by `DepthwiseCase.work`).
"""
from __future__ import annotations

from dataclasses import dataclass

from tvm import te, tirx

from kernels.kernel import Kernel
from mutants.family_kernels import FAMILY_MUTANTS
from mutants.frontend_kernels import FRONTEND_MUTANTS
from mutants.graph_kernels import GRAPH_MUTANTS
from model.case import DepthwiseCase
from model.space import CaseSpace


def seed_variant(case, *, pads=None, out_shape=None, row=None, col=None, channel=None, weight=None,
                 taps_h=None, accumulate=None, pad_bounds_slack=0, written=None):
    """The seed's compute with one piece replaced (each keyword is one mutation point)."""
    sh, sw = case.stride
    dh, dw = case.dilation
    m = case.multiplier
    X = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    K = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    pt, pl, pb, pr = pads or case.padding
    nh, nw = case.height, case.width
    PaddedX = te.compute(
        (case.batch, case.channels, nh + pt + pb, nw + pl + pr),
        lambda n, c, i, j: tirx.if_then_else(
            tirx.any(i < pt, i >= nh + pt, j < pl, j >= nw + pl + pad_bounds_slack),
            tirx.const(0, case.dtype), X[n, c, i - pt, j - pl]),
        name="PaddedX")
    rkh = te.reduce_axis((0, taps_h or case.kernel_h), name="rkh")
    rkw = te.reduce_axis((0, case.kernel_w), name="rkw")
    row = row or (lambda i, r: i * sh + r * dh)
    col = col or (lambda j, r: j * sw + r * dw)
    channel = channel or (lambda c: c // m)
    weight = weight or (lambda K, c, a, b: K[c // m, c % m, a, b])
    accumulate = accumulate or (lambda products, axes: te.sum(products, axis=axes))
    Y = te.compute(
        out_shape or case.output_shape,
        lambda n, c, i, j: accumulate(PaddedX[n, channel(c), row(i, rkh), col(j, rkw)] * weight(K, c, rkh, rkw), [rkh, rkw]),
        name="Y")
    if written is not None:
        Y = te.compute(Y.shape, lambda n, c, i, j: tirx.if_then_else(written(case, i, j), Y[n, c, i, j],
                                                                      tirx.const(0, case.dtype)), name="Ypartial")
    return X, K, Y


def float16_accumulation(case):
    """Products and their sum in float16, the result widened back (a reduction must be a
    compute of its own, so the cast is a second stage)."""
    def accumulate(products, axes):
        return te.sum(products.astype("float16"), axis=axes)
    X, K, Y = seed_variant(case, accumulate=accumulate)
    return X, K, te.compute(Y.shape, lambda *i: Y[i].astype(case.dtype), name="Ywide")


def transposed_square_kernel(case):
    """A 'fast path for square kernels' that reads the filter transposed."""
    if case.kernel_h != case.kernel_w:
        return seed_variant(case)
    m = case.multiplier
    return seed_variant(case, weight=lambda K, c, a, b: K[c // m, c % m, b, a])


@dataclass(frozen=True)
class Mutant:
    kernel: Kernel
    needs: DepthwiseCase | None  # the smallest case (by work) that shows the bug; None: not stated (a user's kernel)


def mutant(name, compute, needs, description, **space):
    return Mutant(Kernel(name=f"mutant_{name}", compute=compute, space=CaseSpace(layouts=("NCHW",), **space),
                         description=description), needs)


def _top_padding_dropped(case):
    pt, pl, pb, pr = case.padding
    return seed_variant(case, pads=(0, pl, pt + pb, pr))


def _off_by_one_output(case):
    n, c, oh, ow = case.output_shape
    return seed_variant(case, out_shape=(n, c, max(oh - 1, 1) if oh > 1 else oh + 1, ow))


LANES, TILE = 8, 16


def _vector_tail_unwritten(case):
    body = max(LANES, case.out_width // LANES * LANES)  # the columns the vector loop covers
    return seed_variant(case, written=lambda c, i, j: j < body)


def _tile_tail_shifted(case):
    return seed_variant(case, col=lambda j, r: j * case.stride_w + r * case.dilation_w - tirx.if_then_else(
        j >= TILE, 1, 0))


def _channel_tail_weight(case):
    m = case.multiplier
    return seed_variant(case, weight=lambda K, c, a, b: K[tirx.if_then_else(c >= LANES * m, c - LANES * m, c) // m,
                                                          c % m, a, b])


MUTANTS = (
    mutant("top_padding_dropped", _top_padding_dropped, DepthwiseCase(pad_top=1),
           "top padding dropped (added at the bottom instead)"),
    mutant("off_by_one_output", _off_by_one_output, DepthwiseCase(),
           "output height computed one off"),
    mutant("stride_w_ignored", lambda case: seed_variant(case, col=lambda j, r: j + r * case.dilation_w),
           DepthwiseCase(width=3, stride_w=2), "stride ignored along W"),
    mutant("dilation_ignored", lambda case: seed_variant(case, row=lambda i, r: i * case.stride_h + r),
           DepthwiseCase(height=3, kernel_h=2, dilation_h=2), "dilation ignored along H"),
    mutant("multiplier_channel", lambda case: seed_variant(case, channel=lambda c: c % case.channels),
           DepthwiseCase(channels=2, multiplier=2), "output channel c*M+m reads input c % C, not c // M"),
    mutant("reduction_short", lambda case: seed_variant(case, taps_h=max(case.kernel_h - 1, 1)),
           DepthwiseCase(height=2, kernel_h=2), "reduction over KH-1 rows"),
    mutant("float16_accumulation", float16_accumulation, DepthwiseCase(),
           "accumulates in float16", dtypes=("float32",)),
    mutant("transposed_kernel", transposed_square_kernel, DepthwiseCase(height=2, width=2, kernel_h=2, kernel_w=2),
           "square kernels read transposed"),
    # With one channel the stray read lands past the whole tensor, on arbitrary memory (maybe a
    # zero); a second channel makes it read a real element: that is the smallest sure case.
    mutant("right_edge_read", lambda case: seed_variant(case, pad_bounds_slack=1),
           DepthwiseCase(pad_right=1), "reads one element past the row at the right edge"),
    mutant("partial_write", lambda case: seed_variant(case, written=lambda c, i, j: j < c.out_width - 1),
           DepthwiseCase(), "the last output column is never written"),
    # Tail bugs: they show only where a row or channel run is longer than a vector or a tile.
    mutant("vector_tail_unwritten", _vector_tail_unwritten, DepthwiseCase(width=9),
           f"an {LANES}-lane width loop whose scalar tail is never written (OW > {LANES}, not a multiple)"),
    mutant("tile_tail_shifted", _tile_tail_shifted, DepthwiseCase(width=TILE + 1),
           f"past a {TILE}-wide tile, outputs read the input one column to the left"),
    mutant("channel_tail_weight", _channel_tail_weight, DepthwiseCase(channels=LANES + 1),
           f"channels past the first {LANES}-channel vector use the weight {LANES} channels back"),
)
# Graph-level bugs in the deployed block (mutants/graph_kernels.py).
MUTANTS += tuple(Mutant(kernel, needs) for kernel, needs in GRAPH_MUTANTS + FRONTEND_MUTANTS)
# Bugs of the family's other members: 1-D, 3-D, transposed (mutants/family_kernels.py).
MUTANTS += tuple(Mutant(kernel, needs) for kernel, needs in FAMILY_MUTANTS)

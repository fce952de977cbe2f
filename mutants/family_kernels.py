"""Bugs of the depthwise family (1-D, 3-D, transposed), each a mutation of one TE compute that
takes every member: forward as a gather over the padded input, transposed as the gather its
definition gives (input i reaches output i*stride + t*dilation - pad_before)."""
from __future__ import annotations

import dataclasses

from tvm import te, tirx

from kernels.kernel import Kernel
from model.axis import RANKS
from model.case import DepthwiseCase
from model.space import CaseSpace

CHANNEL_VECTOR = 16  # a 16-lane channel vector (AVX-512 float32), whose tail is the bug's


def family_variant(case, *, output_padding_first=False, stride_of=None, tap=None, crop_before=None,
                   weight_channel=None):
    """The family's compute with one piece replaced (each keyword is one mutation point):
    `stride_of(axis)` the stride index axis uses, `tap(axis, t, kernel)` the weight tap read,
    `crop_before(axis)` the transposed crop in front, `weight_channel(c)` the weight's channel."""
    m, axes = case.multiplier, case.axes
    X = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    K = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    taps = [te.reduce_axis((0, a.kernel), name=f"t{i}") for i, a in enumerate(axes)]
    stride_of = stride_of or (lambda i: axes[i].stride)
    tap = tap or (lambda i, t, k: t)
    crop_before = crop_before or (lambda i: axes[i].pad_before)
    weight_channel = weight_channel or (lambda c: c // m)

    def weight(c):
        return K[(weight_channel(c), c % m, *(tap(i, t, a.kernel) for i, (t, a) in enumerate(zip(taps, axes))))]

    def forward(n, c, *out):
        at = [o * stride_of(i) + t * a.dilation - a.pad_before for i, (o, t, a) in enumerate(zip(out, taps, axes))]
        inside = tirx.all(*(tirx.all(p >= 0, p < a.size) for p, a in zip(at, axes)))
        safe = [tirx.max(tirx.min(p, a.size - 1), 0) for p, a in zip(at, axes)]
        value = tirx.if_then_else(inside, X[(n, c // m, *safe)], tirx.const(0, case.dtype))
        return te.sum(value * weight(c), axis=taps)

    def transposed(n, c, *out):
        shift = [o + crop_before(i) - t * a.dilation for i, (o, t, a) in enumerate(zip(out, taps, axes))]
        if output_padding_first:  # the output padding's zeros put in front of the output
            shift = [s - a.output_padding for s, a in zip(shift, axes)]
        at = [tirx.floordiv(s, a.stride) for s, a in zip(shift, axes)]
        inside = tirx.all(*(tirx.all(tirx.floormod(s, a.stride) == 0, p >= 0, p < a.size)
                            for s, p, a in zip(shift, at, axes)))
        safe = [tirx.max(tirx.min(p, a.size - 1), 0) for p, a in zip(at, axes)]
        value = tirx.if_then_else(inside, X[(n, c // m, *safe)], tirx.const(0, case.dtype))
        return te.sum(value * weight(c), axis=taps)

    Y = te.compute(case.output_shape, transposed if case.transposed else forward, name="Y")
    return X, K, Y


FAMILY_MUTANT_SPACE = CaseSpace(ranks=RANKS, directions=(False, True), layouts=("NCW", "NCHW", "NCDHW"),
                                max_kernel=5, max_extent=12, max_channels=20)


def family_mutant(name, compute, needs, description, **drawn) -> tuple:
    """A mutant kernel drawing the members `drawn` narrows the family to (the bug's), taking the
    whole family as the self-checks' follow-ups."""
    space = dataclasses.replace(FAMILY_MUTANT_SPACE, **drawn)
    return Kernel(name=f"mutant_{name}", compute=compute, space=space, takes=FAMILY_MUTANT_SPACE,
                  description=description), needs


FAMILY_MUTANTS = (
    family_mutant("output_padding_first", lambda case: family_variant(case, output_padding_first=True),
                  DepthwiseCase(rank=1, transposed=True, stride_w=2, output_padding_w=1),
                  "transposed: the output padding's zeros placed before the output, not after", directions=(True,)),
    family_mutant("stride_of_first_axis", lambda case: family_variant(case, stride_of=lambda i: case.axes[0].stride),
                  DepthwiseCase(width=3, stride_w=2),
                  "every axis strided by the first axis' stride (right in 1-D, wrong wherever they differ)",
                  ranks=(2, 3)),
    family_mutant("depth_taps_reversed", lambda case: family_variant(
                      case, tap=lambda i, t, k: k - 1 - t if case.rank == 3 and i == 0 else t),
                  DepthwiseCase(rank=3, depth=2, kernel_d=2),
                  "3-D: the depth axis of the kernel read reversed", ranks=(3,), layouts=("NCDHW",)),
    family_mutant("transposed_taps_flipped", lambda case: family_variant(
                      case, tap=lambda i, t, k: k - 1 - t if case.transposed else t),
                  DepthwiseCase(rank=1, transposed=True, kernel_w=2),
                  "transposed: every kernel axis read flipped (a forward convolution's correlation order)",
                  directions=(True,)),
    family_mutant("crop_after_in_front", lambda case: family_variant(
                      case, crop_before=lambda i: case.axes[i].pad_after),
                  # as small as kernel_w=2 on one input (work 4), and where the shrinker, which
                  # lowers the kernel before the input, lands: one tap cropped from two inputs
                  DepthwiseCase(rank=1, transposed=True, width=2, pad_left=1),
                  "transposed: the output cropped by the after-padding in front", directions=(True,)),
    family_mutant("channel_vector_tail", lambda case: family_variant(
                      case, weight_channel=lambda c: tirx.if_then_else(
                          c >= CHANNEL_VECTOR * case.multiplier, c // case.multiplier - 1, c // case.multiplier)),
                  DepthwiseCase(rank=1, channels=CHANNEL_VECTOR + 1),
                  f"channels past a {CHANNEL_VECTOR}-channel vector use the previous channel's weights"),
)

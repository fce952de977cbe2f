"""The depthwise family beyond forward 2-D: 1-D and 3-D convolutions and transposed ones, as
TOPI computes them and as a Relax module (`relax.op.nn.conv{1,2,3}d[_transpose]`, groups = C).

A family kernel takes both directions where TVM has both, so the relations that tie the family
together (the adjoint, a transposed convolution as a forward one, rank lifting) can run their
follow-ups on the kernel itself."""
from __future__ import annotations

import dataclasses

from tvm import te, topi

from findings.table import RELAX_CONV_TRANSPOSE
from kernels.kernel import Kernel
from model.axis import LAYOUTS_BY_RANK, RANKS
from model.case import ALL_DTYPES
from model.space import CaseSpace
from strategies.budget import MEMBER_NIGHTLY_TARGETS, MEMBER_SHARE

CHANNELS_FIRST = tuple(LAYOUTS_BY_RANK[r][0] for r in RANKS)
CHANNELS_LAST = tuple(LAYOUTS_BY_RANK[r][1] for r in RANKS)
# Small extents and kernels: a 3-D case's work grows with the cube of both (MAX_WORK holds).
FAMILY_SPACE = dict(ranks=RANKS, directions=(False, True), dtypes=ALL_DTYPES, max_kernel=5, max_extent=12,
                    max_channels=20)


def grouped_weight(case, k):
    """(C, M, *K) as a grouped forward convolution's (C*M, 1, *K); (*K, C, M) as (*K, 1, C*M)."""
    if case.channels_last:
        return topi.reshape(k, (*case.kernel, 1, case.out_channels))
    return topi.reshape(k, (case.out_channels, 1, *case.kernel))


def topi_family(case):
    """Forward: `group_conv1d_ncw`/`_nwc`, `group_conv2d_nchw`, `conv3d_ncdhw`/`_ndhwc` (groups = C);
    transposed: `group_conv{1,2,3}d_transpose_*` (groups = C, weight (C, M, *K) as it is)."""
    x = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    k = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    groups, out_dtype = case.channels, case.out_dtype
    if case.transposed:
        compute = {1: topi.nn.group_conv1d_transpose_ncw, 2: topi.nn.group_conv2d_transpose_nchw,
                   3: topi.nn.group_conv3d_transpose_ncdhw}[case.rank]
        stride, pad, out_pad = case.stride, case.padding, case.output_padding
        if case.rank == 1:
            stride, out_pad = stride[0], out_pad[0]
        y = compute(x, k, stride, pad, out_dtype, out_pad, groups)
        return x, k, y
    w = grouped_weight(case, k)
    if case.rank == 1:
        compute = topi.nn.group_conv1d_nwc if case.channels_last else topi.nn.group_conv1d_ncw
        y = compute(x, w, case.stride[0], case.padding, case.dilation[0], groups, out_dtype)
    elif case.rank == 2:
        y = topi.nn.group_conv2d_nchw(x, w, case.stride, case.padding, case.dilation, groups, out_dtype)
    else:
        compute = topi.nn.conv3d_ndhwc if case.channels_last else topi.nn.conv3d_ncdhw
        y = compute(x, w, case.stride, case.padding, case.dilation, groups, out_dtype)
    return x, k, y


def relax_weight_shape(case) -> tuple:
    """What main takes: forward OI{spatial} (C*M, 1, *K) (channels-last: {spatial}OI, (*K, C*M, 1));
    transposed IO{spatial} (C, M, *K) (channels-last {spatial}IO, (*K, C, M)), the case's own."""
    if case.transposed:
        return case.weight_shape
    if case.channels_last:
        return (*case.kernel, case.out_channels, 1)
    return (case.out_channels, 1, *case.kernel)


def relax_conv(case, x, w):
    """`relax.op.nn.conv{r}d[_transpose](x, w, groups=C)` as the case says (w: relax_weight_shape)."""
    from tvm import relax

    spatial = case.layout.replace("N", "").replace("C", "")
    op = getattr(relax.op.nn, case.op_name)
    keywords = dict(strides=case.stride, padding=case.padding, dilation=case.dilation, groups=case.channels,
                    data_layout=case.layout, out_dtype=case.out_dtype)
    if case.transposed:
        keywords.update(output_padding=case.output_padding,
                        kernel_layout=spatial + "IO" if case.channels_last else "IO" + spatial)
    else:
        keywords.update(kernel_layout=spatial + "OI" if case.channels_last else "OI" + spatial)
    return op(x, w, **keywords)


def relax_family(case):
    """A Relax function main(data, weight) -> relax.op.nn.conv{r}d[_transpose](groups=C)."""
    from tvm import relax

    bb = relax.BlockBuilder()
    x = relax.Var("data", relax.TensorType(case.input_shape, case.dtype))
    w = relax.Var("weight", relax.TensorType(relax_weight_shape(case), case.dtype))
    with bb.function("main", [x, w]):
        with bb.dataflow():
            out = bb.emit_output(bb.emit(relax_conv(case, x, w)))
        bb.emit_func_output(out)
    return bb.get()


def members(kernel: Kernel, skip: tuple = ()) -> tuple[Kernel, ...]:
    """One row per member of the family `kernel` takes ("{prefix}_conv1d_transpose"...): each draws
    its member only, with its share of the examples, and takes the whole family as follow-ups."""
    prefix = kernel.name.removesuffix("_family")
    rows = []
    for rank in kernel.space.ranks:
        for transposed in kernel.space.directions:
            layouts = kernel.space.layouts_of_rank(rank)
            op = f"conv{rank}d" + ("_transpose" if transposed else "")
            if op in skip or not layouts:
                continue
            suffix = "" if layouts[0] == LAYOUTS_BY_RANK[rank][0] else "_" + layouts[0].lower()
            space = dataclasses.replace(kernel.space, ranks=(rank,), directions=(transposed,), layouts=layouts)
            rows.append(dataclasses.replace(kernel, name=f"{prefix}_{op}{suffix}", space=space, takes=kernel.space,
                                            example_share=MEMBER_SHARE * kernel.example_share,
                                            nightly_targets=MEMBER_NIGHTLY_TARGETS,
                                            description=f"{op}: {kernel.description}"))
    return tuple(rows)


TOPI_FAMILY = Kernel(
    name="topi_family", compute=topi_family,
    space=CaseSpace(**FAMILY_SPACE, layouts=CHANNELS_FIRST, max_transposed_dilation=1),
    description="TOPI's group convolutions (groups = C): group_conv1d_ncw, conv3d_ncdhw, "
                "group_conv{1,2,3}d_transpose (which take no dilation)")
TOPI_FAMILY_CHANNELS_LAST = Kernel(
    name="topi_family", compute=topi_family,
    space=CaseSpace(**{**FAMILY_SPACE, "ranks": (1, 3), "directions": (False,)}, layouts=CHANNELS_LAST,
                    lane_channels=True),
    description="TOPI's group_conv1d_nwc and conv3d_ndhwc (groups = C), channels last")
RELAX_FAMILY = Kernel(
    name="relax_family", compute=relax_family, kind="relax", weight_shape=relax_weight_shape,
    reaches=(RELAX_CONV_TRANSPOSE,), space=CaseSpace(**FAMILY_SPACE, layouts=CHANNELS_FIRST),
    description="relax.op.nn.conv{1,2,3}d[_transpose](groups = C) in a Relax module")
RELAX_FAMILY_CHANNELS_LAST = dataclasses.replace(
    RELAX_FAMILY, space=CaseSpace(**FAMILY_SPACE, layouts=CHANNELS_LAST, lane_channels=True),
    description="relax.op.nn.conv{1,2,3}d[_transpose](groups = C) in a Relax module, channels last "
                "(transposed: findings/relax-conv-transpose-channels-last.md)")
# The forward 2-D members are rows already: topi_group, relax_conv2d (both layouts).
FAMILY_KERNELS = (members(TOPI_FAMILY, skip=("conv2d",)) + members(TOPI_FAMILY_CHANNELS_LAST)
                  + members(RELAX_FAMILY, skip=("conv2d",)) + members(RELAX_FAMILY_CHANNELS_LAST, skip=("conv2d",)))

"""Drawing convolutions that must be refused: a small valid one with exactly one defect."""
from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from model.invalid import DEFECTS, InvalidConv

SIZES = st.integers(1, 6)


@st.composite
def valid_base(draw, member: tuple = (2, False)) -> InvalidConv:
    """A small valid depthwise convolution of `member` ((rank, transposed)); every defect is
    applied to one of these. The 2-D forward draw is the one the refusal rows always drew."""
    rank, transposed = member
    c, m = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    sizes = [draw(SIZES) for _ in range(rank)]
    # a transposed convolution's output is at least the kernel: any kernel up to the size is valid too
    kernel = [draw(st.integers(1, size)) for size in sizes]
    return InvalidConv(data_shape=(draw(st.integers(1, 2)), c, *sizes), weight_shape=(c, m, *kernel), groups=c,
                       stride=(1,) * rank, padding=(0,) * 2 * rank, dilation=(1,) * rank, transposed=transposed,
                       output_padding=(0,) * rank if transposed else ())


def one_of(draw, values: tuple, bad: int, axis: int | None = None) -> tuple:
    """`values` with one element (`axis`, else a drawn one) replaced by `bad`."""
    if axis is None:
        axis = draw(st.integers(0, len(values) - 1))
    return tuple(bad if i == axis else v for i, v in enumerate(values))


@st.composite
def with_defect(draw, base: InvalidConv, defect: str) -> InvalidConv:
    change = {"defect": defect}
    n, c, *sizes = base.data_shape
    _, m, *kernel = base.weight_shape
    if defect == "empty_output":
        if base.transposed:  # pads that crop more than the full output: (size-1)*1 + k per axis
            axis = draw(st.integers(0, base.rank - 1))
            crop = sizes[axis] - 1 + kernel[axis] + draw(st.integers(0, 2))
            before = draw(st.integers(0, crop))
            padding = list(base.padding)
            padding[axis], padding[base.rank + axis] = before, crop - before
            change["padding"] = tuple(padding)
        else:
            axis = draw(st.integers(0, base.rank - 1)) if base.rank != 2 else 0  # 2-D: the height, as always
            change["weight_shape"] = (c, m, *one_of(draw, tuple(kernel), sizes[axis] + draw(st.integers(1, 3)), axis))
    elif defect in ("zero_stride", "negative_stride"):
        change["stride"] = one_of(draw, base.stride, 0 if defect == "zero_stride" else -draw(st.integers(1, 2)))
    elif defect in ("zero_dilation", "negative_dilation"):
        bad = 0 if defect == "zero_dilation" else -draw(st.integers(1, 2))
        change["dilation"] = one_of(draw, base.dilation, bad)
    elif defect == "negative_padding":
        side = draw(st.integers(0, 2 * base.rank - 1))
        change["padding"] = tuple(-draw(st.integers(1, 2)) if i == side else 0 for i in range(2 * base.rank))
    elif defect == "weight_channels":
        other = draw(st.integers(1, c + 2).filter(lambda v: v != c))
        change["weight_shape"] = (other, m, *kernel)
    elif defect == "groups_not_dividing":
        change["data_shape"] = (n, c + 1, *sizes) if c > 1 else (n, 3, *sizes)
        change["groups"] = 2 if c == 1 else c
        change["weight_shape"] = (change["groups"], m, *kernel)
    elif defect == "mixed_dtypes":
        change["weight_dtype"] = draw(st.sampled_from(("float16", "float64")))
    elif defect == "output_padding":  # needs a stride to sit below: one axis strided, its output padding >= it
        axis, stride = draw(st.integers(0, base.rank - 1)), draw(st.integers(1, 3))
        change["stride"] = tuple(stride if i == axis else s for i, s in enumerate(base.stride))
        change["output_padding"] = tuple(stride + draw(st.integers(0, 1)) if i == axis else 0 for i in range(base.rank))
    elif defect == "output_shape":
        pass  # the shape-generic kernel's caller gets a wrong output array (kernels/refusal_paths.py)
    return dataclasses.replace(base, **change)


def member_of(name: str) -> tuple:
    """(rank, transposed) of a member's name (model/axis.py MEMBERS: conv{rank}d[_transpose])."""
    return int(name[4]), name.endswith("_transpose")


def invalid_convs(defects=tuple(DEFECTS), members=("conv2d",)):
    """An InvalidConv of one of `members` with one of `defects`."""
    bases = st.sampled_from(tuple(members)).flatmap(lambda name: valid_base(member_of(name)))
    return st.tuples(bases, st.sampled_from(tuple(defects))).flatmap(lambda bd: with_defect(*bd))

"""Drawing convolutions that must be refused: a small valid one with exactly one defect."""
from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from model.invalid import DEFECTS, InvalidConv

SIZES = st.integers(1, 6)


@st.composite
def valid_base(draw) -> InvalidConv:
    """A small valid depthwise convolution (every defect is applied to one of these)."""
    c, m = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    h, w = draw(SIZES), draw(SIZES)
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    return InvalidConv(data_shape=(draw(st.integers(1, 2)), c, h, w), weight_shape=(c, m, kh, kw), groups=c)


def one_of_two(draw, pair: tuple, bad: int) -> tuple:
    """`pair` with its first or second element replaced by `bad`."""
    axis = draw(st.integers(0, 1))
    return tuple(bad if i == axis else v for i, v in enumerate(pair))


@st.composite
def with_defect(draw, base: InvalidConv, defect: str) -> InvalidConv:
    change = {"defect": defect}
    n, c, h, w = base.data_shape
    _, m, kh, kw = base.weight_shape
    if defect == "empty_output":
        change["weight_shape"] = (c, m, h + draw(st.integers(1, 3)), kw)
    elif defect in ("zero_stride", "negative_stride"):
        change["stride"] = one_of_two(draw, base.stride, 0 if defect == "zero_stride" else -draw(st.integers(1, 2)))
    elif defect in ("zero_dilation", "negative_dilation"):
        bad = 0 if defect == "zero_dilation" else -draw(st.integers(1, 2))
        change["dilation"] = one_of_two(draw, base.dilation, bad)
    elif defect == "negative_padding":
        side = draw(st.integers(0, 3))
        change["padding"] = tuple(-draw(st.integers(1, 2)) if i == side else 0 for i in range(4))
    elif defect == "weight_channels":
        other = draw(st.integers(1, c + 2).filter(lambda v: v != c))
        change["weight_shape"] = (other, m, kh, kw)
    elif defect == "groups_not_dividing":
        change["data_shape"] = (n, c + 1, h, w) if c > 1 else (n, 3, h, w)
        change["groups"] = 2 if c == 1 else c
        change["weight_shape"] = (change["groups"], m, kh, kw)
    elif defect == "mixed_dtypes":
        change["weight_dtype"] = draw(st.sampled_from(("float16", "float64")))
    elif defect == "output_shape":
        pass  # the shape-generic kernel's caller gets a wrong output array (kernels/refusal_paths.py)
    return dataclasses.replace(base, **change)


def invalid_convs(defects=tuple(DEFECTS)):
    """An InvalidConv with one of `defects`."""
    return st.tuples(valid_base(), st.sampled_from(tuple(defects))).flatmap(lambda bd: with_defect(*bd))

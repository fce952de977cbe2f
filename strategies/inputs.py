"""Input arrays for a case, and `ConvExample`: one case with its data and weight."""
from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes  # noqa: F401  (registers numpy's "bfloat16" dtype name)
import numpy as np
from hypothesis import strategies as st

from strategies.case import DepthwiseCase
from strategies.cases import CaseSpace, depthwise_cases

# Values stay in [-VALUE_BOUND, VALUE_BOUND], so no output can overflow any tested dtype
# (|y| <= KH*KW*VALUE_BOUND**2) and the error model's magnitudes stay meaningful.
VALUE_BOUND = 4.0

@dataclass(frozen=True, eq=False)
class ConvExample:
    """A case plus its input `data` and `weight` (both in the case's layout), and the
    kernel's schedule `options` as sorted (name, value) pairs."""

    case: DepthwiseCase
    data: np.ndarray
    weight: np.ndarray
    options: tuple = ()

    def __repr__(self) -> str:
        with np.printoptions(threshold=64, precision=8, floatmode="maxprec"):
            return (f"ConvExample(case={self.case.summary()}, options={dict(self.options)},\n"
                    f"    data=np.array({self.data.tolist() if self.data.size <= 64 else '...'!s}),\n"
                    f"    weight=np.array({self.weight.tolist() if self.weight.size <= 64 else '...'!s}))")


def seeded_normal(case: DepthwiseCase, seed: int, fraction_bits: int | None = None):
    """(data, weight) from a standard normal, like the seed chapter's `get_conv_data`,
    clipped to the value bound and, with `fraction_bits`, rounded to multiples of
    2**-fraction_bits (0 gives small integers: exact sums, easy-to-read repros)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in (case.input_shape, case.weight_shape):
        values = rng.standard_normal(shape).clip(-VALUE_BOUND, VALUE_BOUND)
        if fraction_bits is not None:
            values = np.round(values * 2.0**fraction_bits) / 2.0**fraction_bits
        arrays.append(values.astype(case.dtype))
    return tuple(arrays)


# The input arrays are drawn as a seed and a precision, not element by element: the choice
# sequence then has the same shape whatever the case's size, so Hypothesis can shrink the
# case and keep the data failing (element-wise arrays stall the shrinker as soon as a smaller
# case re-reads the old choices as new elements). Full precision comes first (the simplest):
# rounded, integer-like data give many zeros and exact sums, which hide bugs in small cases
# and would stop the case from shrinking.
SEEDS = st.integers(0, 2**32 - 1)
FRACTION_BITS = st.one_of(st.none(), st.integers(0, 8))  # None: full precision


@st.composite
def conv_examples(draw, space: CaseSpace = CaseSpace(), options=None) -> ConvExample:
    """A valid case inside `space` with its input arrays and, where a kernel has schedule
    knobs, `options(case)`'s draw of them."""
    case = draw(depthwise_cases(space))
    data, weight = seeded_normal(case, draw(SEEDS), draw(FRACTION_BITS))
    chosen = draw(options(case)) if options is not None else {}
    return ConvExample(case, data, weight, tuple(sorted(chosen.items())))

"""Input arrays for a case, and `ConvExample`: one case with its data and weight."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from strategies.case import DepthwiseCase
from strategies.cases import CaseSpace, depthwise_cases

# Values stay in [-VALUE_BOUND, VALUE_BOUND], so no output can overflow any tested dtype
# (|y| <= KH*KW*VALUE_BOUND**2) and the error model's magnitudes stay meaningful.
VALUE_BOUND = 4.0

# Up to this many elements, every value is its own Hypothesis draw (fully shrinkable,
# towards 0); above it, values come from a drawn seed, like the seed chapter's
# `np.random.normal`, because per-element draws would overflow Hypothesis' buffer.
ELEMENTWISE_LIMIT = 256


@dataclass(frozen=True, eq=False)
class ConvExample:
    """A case plus its input `data` and `weight`, both in the case's layout."""

    case: DepthwiseCase
    data: np.ndarray
    weight: np.ndarray

    def __repr__(self) -> str:
        with np.printoptions(threshold=64, precision=8, floatmode="maxprec"):
            return (f"ConvExample(case={self.case.summary()},\n"
                    f"    data=np.array({self.data.tolist() if self.data.size <= 64 else '...'!s}),\n"
                    f"    weight=np.array({self.weight.tolist() if self.weight.size <= 64 else '...'!s}))")


def seeded_normal(case: DepthwiseCase, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Data and weight from a standard normal, clipped to the value bound (the seed chapter's
    `get_conv_data` draws the same way)."""
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(case.input_shape).clip(-VALUE_BOUND, VALUE_BOUND)
    weight = rng.standard_normal(case.weight_shape).clip(-VALUE_BOUND, VALUE_BOUND)
    return data.astype(case.dtype), weight.astype(case.dtype)


def bounded_values(dtype: str) -> st.SearchStrategy[float]:
    width = 32 if dtype == "float32" else 64
    return st.floats(-VALUE_BOUND, VALUE_BOUND, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False, width=width)


def input_arrays(case: DepthwiseCase) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Finite, bounded (data, weight) arrays of the case's shapes and dtype."""
    size = int(np.prod(case.input_shape)) + int(np.prod(case.weight_shape))
    if size <= ELEMENTWISE_LIMIT:
        elements = bounded_values(case.dtype)
        return st.tuples(
            arrays(case.dtype, case.input_shape, elements=elements, fill=st.nothing()),
            arrays(case.dtype, case.weight_shape, elements=elements, fill=st.nothing()),
        )
    return st.integers(0, 2**32 - 1).map(lambda seed: seeded_normal(case, seed))


@st.composite
def conv_examples(draw, space: CaseSpace = CaseSpace()) -> ConvExample:
    """A valid case inside `space` together with its input arrays."""
    case = draw(depthwise_cases(space))
    data, weight = draw(input_arrays(case))
    return ConvExample(case, data, weight)

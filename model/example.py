"""`ConvExample`: one case with its input arrays, and the seeded arrays a case is checked on."""
from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes  # noqa: F401  (registers numpy's "bfloat16" dtype name)
import numpy as np

from model.case import DepthwiseCase

# Values stay in [-VALUE_BOUND, VALUE_BOUND], so no output can overflow any tested dtype
# (|y| <= KH*KW*VALUE_BOUND**2) and the error model's magnitudes stay meaningful.
VALUE_BOUND = 4.0


@dataclass(frozen=True, eq=False)
class ConvExample:
    """A case plus its input `data` and `weight` (both in the case's layout), the kernel's
    schedule `options` as sorted (name, value) pairs, for a gradient kernel the output
    gradient `grad_out` (of the case's output shape), and `pick`: which one of the applicable
    self-checks (relations, differentials) this example gets (None: all of them)."""

    case: DepthwiseCase
    data: np.ndarray
    weight: np.ndarray
    options: tuple = ()
    grad_out: np.ndarray | None = None
    pick: int | None = None

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


def seeded_example(case: DepthwiseCase, seed: int, fraction_bits: int | None = None, options: tuple = (),
                   gradients: bool = False) -> ConvExample:
    """`case` with seeded_normal inputs and, for a gradient kernel (`gradients`), an output
    gradient from the next seed, drawn the same way."""
    data, weight = seeded_normal(case, seed, fraction_bits)
    grad_out = None
    if gradients:
        values = np.random.default_rng(seed + 1).standard_normal(case.output_shape).clip(-VALUE_BOUND, VALUE_BOUND)
        grad_out = values.astype(case.dtype)
    return ConvExample(case, data, weight, options, grad_out)

"""`ConvExample`: one case with its input arrays, and the seeded arrays a case is checked on."""
from __future__ import annotations

from dataclasses import dataclass, field

import ml_dtypes  # noqa: F401  (registers numpy's "bfloat16" dtype name)
import numpy as np

from model.case import DepthwiseCase
from model.epilogue import parameter_shapes

# Values stay in [-VALUE_BOUND, VALUE_BOUND], so no output can overflow any tested dtype
# (|y| <= KH*KW*VALUE_BOUND**2) and the error model's magnitudes stay meaningful.
VALUE_BOUND = 4.0
# BatchNorm's running variance is drawn at least this large: 1/sqrt(var + eps) stays below 2,
# so BN cannot amplify the convolution's rounding error by more than 2*VALUE_BOUND.
MIN_VARIANCE = 0.25
# An option whose drawn value is INPUT_VALUES stands for the example's own input values
# (seed, fraction bits): a kernel that binds its inputs into the module as constants takes them,
# under the option named BOUND_INPUTS (None there: the inputs stay arguments).
INPUT_VALUES = "<the example's input values>"
BOUND_INPUTS = "constants"
# The option a kernel draws its output dtype under (relax_block's out_dtype); without it the
# output is in the case's out_dtype.
OUT_DTYPE = "out_dtype"


@dataclass(frozen=True, eq=False)
class ConvExample:
    """A case plus its input `data` and `weight` (both in the case's layout), the kernel's
    schedule `options` as sorted (name, value) pairs, for a gradient kernel the output
    gradient `grad_out` (of the case's output shape), and `pick`: which one of the applicable
    self-checks (relations, differentials) this example gets (None: all of them), and `extras`:
    the arrays the case's epilogue adds (model/epilogue.py parameter_shapes, in that order)."""

    case: DepthwiseCase
    data: np.ndarray
    weight: np.ndarray
    options: tuple = ()
    grad_out: np.ndarray | None = None
    pick: int | None = None
    extras: dict = field(default_factory=dict)

    @property
    def arrays(self) -> dict:
        """Every input array by name: data, weight, then the epilogue's."""
        return {"data": self.data, "weight": self.weight, **self.extras}

    @property
    def out_dtype(self) -> str:
        """The dtype the kernel returns: its drawn OUT_DTYPE option, else the case's out_dtype."""
        return dict(self.options).get(OUT_DTYPE) or self.case.out_dtype

    def __repr__(self) -> str:
        with np.printoptions(threshold=64, precision=8, floatmode="maxprec"):
            return (f"ConvExample(case={self.case.summary()}, options={dict(self.options)},\n"
                    f"    data=np.array({self.data.tolist() if self.data.size <= 64 else '...'!s}),\n"
                    f"    weight=np.array({self.weight.tolist() if self.weight.size <= 64 else '...'!s}))")


def _values(rng, shape, dtype: str, fraction_bits: int | None):
    """Standard normal values clipped to the value bound, rounded to multiples of
    2**-fraction_bits where given; integer dtypes: uniform over the whole range, with a
    quarter of the elements (all with fraction_bits 0) at its two ends."""
    if np.issubdtype(np.dtype(dtype), np.integer):
        info = np.iinfo(dtype)
        values = rng.integers(info.min, int(info.max) + 1, size=shape)
        extreme = rng.random(shape) < (1.0 if fraction_bits == 0 else 0.25)
        values = np.where(extreme, np.where(rng.random(shape) < 0.5, info.min, info.max), values)
        return values.astype(dtype)
    values = rng.standard_normal(shape).clip(-VALUE_BOUND, VALUE_BOUND)
    if fraction_bits is not None:
        values = np.round(values * 2.0**fraction_bits) / 2.0**fraction_bits
    return values.astype(dtype)


def seeded_normal(case: DepthwiseCase, seed: int, fraction_bits: int | None = None):
    """(data, weight) from a standard normal, like the seed chapter's `get_conv_data`,
    clipped to the value bound and, with `fraction_bits`, rounded to multiples of
    2**-fraction_bits (0 gives small integers: exact sums, easy-to-read repros); integer
    cases draw their whole range, extremes included."""
    return seeded_arrays(case, seed, fraction_bits)[:2]


def seeded_arrays(case: DepthwiseCase, seed: int, fraction_bits: int | None = None) -> tuple:
    """(data, weight, extras): seeded_normal's two arrays and, from the same generator, the
    epilogue's (BatchNorm's variance at least MIN_VARIANCE)."""
    rng = np.random.default_rng(seed)
    data, weight = (_values(rng, shape, case.dtype, fraction_bits) for shape in (case.input_shape, case.weight_shape))
    extras = {}
    for name, shape in parameter_shapes(case).items():
        values = _values(rng, shape, "float64", fraction_bits)
        if name == "bn_var":
            values = np.maximum(np.abs(values), MIN_VARIANCE)
        extras[name] = values.astype(case.dtype)
    return data, weight, extras


def seeded_example(case: DepthwiseCase, seed: int, fraction_bits: int | None = None, options: tuple = (),
                   gradients: bool = False) -> ConvExample:
    """`case` with seeded_arrays inputs and, for a gradient kernel (`gradients`), an output
    gradient from the next seed, drawn the same way. An option valued INPUT_VALUES becomes
    (seed, fraction_bits): what rebuilds these inputs."""
    data, weight, extras = seeded_arrays(case, seed, fraction_bits)
    options = tuple((name, (seed, fraction_bits) if value == INPUT_VALUES else value) for name, value in options)
    grad_out = None
    if gradients:
        values = np.random.default_rng(seed + 1).standard_normal(case.output_shape).clip(-VALUE_BOUND, VALUE_BOUND)
        grad_out = values.astype(case.dtype)
    return ConvExample(case, data, weight, options, grad_out, extras=extras)

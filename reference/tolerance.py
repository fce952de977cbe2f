"""The error model: how far a correct kernel's output may be from a reference's.

Every output element is a dot product of length L = KH*KW (padding contributes exact
zeros). Computed in a floating-point format with unit roundoff u = eps/2, in *any*
summation order, with or without fused multiply-adds, the computed value satisfies
(Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 3.5 and §3.1):

    |fl(y) - y| <= gamma_L * m,   gamma_L = L*u / (1 - L*u),   m = sum |x_l| * |w_l|

where m is the element's *magnitude*, the same convolution on |data| and |weight|
(computed by the float64 oracle). Gradual underflow or flush-to-zero adds at most one
smallest-normal number per operation, 2*L*tiny in all.

The same bound holds when a kernel accumulates in a wider format and rounds once at the
end (gamma_L(wide)*m + u*|y| <= gamma_L(narrow)*m, as |y| <= m), and for float16 and
bfloat16 emulated through float32 (float32 has at least 2p+2 bits for their p, so the
double rounding of +, * is innocuous).

Which format a kernel is held to (`computed_in`): the dtype of its output. float16 or bfloat16
inputs with a float32 `out_dtype` promise float32 arithmetic (the inputs widen exactly, and
relax.op.nn.conv2d casts them before it multiplies), so such a kernel is bounded by
gamma_L(float32): one that accumulates in float16 and casts at the end lies outside it. An
output narrower than the inputs rounds once more, u*|y| <= u*m, inside gamma_L of the output's
format; so the output's format bounds every float kernel. A block whose stages before the
convolution (the pointwise expansion) run in the inputs' format, the rest in a wider out_dtype,
is held to the two in turn, "float16->float32": k roundings in the first, n - k in the second,
(1 + gamma_k(first)) * (1 + gamma_(n-k)(second)) - 1 in all (Higham's Lemma 3.3 composed).

Comparing two computations, a kernel in format a and a reference in format b, both
error terms add up:  |k - r| <= (gamma_L(a) + gamma_L(b)) * m + 2*L*(tiny(a) + tiny(b)).
The float64 oracle is the b = float64 case; framework references compute in the case's
dtype. Nothing here is a fudge factor: an element outside this bound cannot come from
a correct computation of the same function on the same inputs.

A block (a convolution with a bias, BatchNorm, an activation, pointwise convolutions and a
residual add: model/epilogue.py) is bounded the same way: each stage's error is at most
gamma_k times its magnitude, and a following dot product of length n or an add keeps that
form with gamma_(k+n) (Higham, Lemma 3.3: gamma_k + gamma_n + gamma_k*gamma_n <= gamma_(k+n)),
the magnitude being the block evaluated on absolute values (reference/block_oracle.py).
"""
from __future__ import annotations

import numpy as np

from model.case import DTYPES
from model.epilogue import roundings, roundings_before_conv


def float_info(dtype: str):
    """numpy's finfo, or ml_dtypes' for the types numpy lacks (bfloat16)."""
    if dtype == "bfloat16":
        import ml_dtypes

        return ml_dtypes.finfo(ml_dtypes.bfloat16)
    return np.finfo(dtype)


def computed_in(case, out_dtype: str) -> str:
    """The format a correct kernel of `case` returning `out_dtype` is bounded in (module
    docstring): a float output's dtype, "inputs->output" where stages before the convolution
    run in the inputs' dtype; integer cases their own (their bound is zero)."""
    if out_dtype not in DTYPES or case.is_integer or out_dtype == case.dtype:
        return case.dtype
    return f"{case.dtype}->{out_dtype}" if roundings_before_conv(case) else out_dtype


def stages(fmt: str) -> tuple[str, str]:
    """(the format before the convolution, the format from it on) of a computed_in format."""
    before, _, after = fmt.partition("->")
    return before, after or before


def block_gamma(case, fmt: str) -> float:
    """The relative error of the case's block computed in `fmt` (module docstring)."""
    n, before, (first, second) = roundings(case), roundings_before_conv(case), stages(fmt)
    if first == second:
        return gamma(n, first)
    return (1 + gamma(before, first)) * (1 + gamma(n - before, second)) - 1


def tiniest(fmt: str) -> float:
    """The largest smallest-normal number of `fmt`'s formats: the underflow term's unit."""
    return max(float(float_info(dtype).tiny) for dtype in stages(fmt))


def gamma(length: int, dtype: str) -> float:
    """Higham's gamma_n = n*u / (1 - n*u) for the dtype's unit roundoff u."""
    u = float(float_info(dtype).eps) / 2
    nu = length * u
    if nu >= 1:
        raise ValueError(f"reduction of length {length} has no error bound in {dtype}")
    return nu / (1 - nu)


def dot_product_bound(length: int, magnitude, kernel_dtype: str, reference_dtype: str) -> np.ndarray:
    """Per-element bound on |kernel - reference| for sums of `length` products (module docstring)."""
    relative = gamma(length, kernel_dtype) + gamma(length, reference_dtype)
    underflow = 2 * length * (float(float_info(kernel_dtype).tiny) + float(float_info(reference_dtype).tiny))
    return relative * np.asarray(magnitude, dtype=np.float64) + underflow


def error_bound(case, magnitude: np.ndarray, kernel_dtype: str, reference_dtype: str, floor=None) -> np.ndarray:
    """Per-element bound on |kernel - reference| for a correct depthwise convolution, or a
    whole block (model/epilogue.py): gamma_n with n the most roundings on any path
    (model.epilogue.roundings; each format a computed_in format), times the block's magnitude,
    plus the underflow `floor` (reference/block_oracle.py; None: the bare convolution's 2*L). Integer cases: zero, as
    int32 accumulation is exact for every drawn value."""
    if case.is_integer:
        return np.zeros(np.shape(magnitude))
    relative = block_gamma(case, kernel_dtype) + block_gamma(case, reference_dtype)
    if floor is None:
        floor = 2 * case.reduction_length
    tiny = tiniest(kernel_dtype) + tiniest(reference_dtype)
    return relative * np.asarray(magnitude, dtype=np.float64) + np.asarray(floor, dtype=np.float64) * tiny

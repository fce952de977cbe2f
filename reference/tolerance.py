"""The error model: how far a correct kernel's output may be from a reference's.

Every output element is a dot product of length L = KH*KW (padding contributes exact
zeros). Computed in a floating-point format with unit roundoff u = eps/2, in *any*
summation order, with or without fused multiply-adds, the computed value satisfies
(Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 3.5 and §3.1):

    |fl(y) - y| <= gamma_L * m,   gamma_L = L*u / (1 - L*u),   m = sum |x_l| * |w_l|

where m is the element's *magnitude*, the same convolution on |data| and |weight|
(computed by the float64 oracle). Gradual underflow or flush-to-zero adds at most one
smallest-normal number per operation, 2*L*tiny in all.

Comparing two computations, a kernel in format a and a reference in format b, both
error terms add up:  |k - r| <= (gamma_L(a) + gamma_L(b)) * m + 2*L*(tiny(a) + tiny(b)).
The float64 oracle is the b = float64 case; framework references compute in the case's
dtype. Nothing here is a fudge factor: an element outside this bound cannot come from
a correct computation of the same function on the same inputs.
"""
from __future__ import annotations

import numpy as np


def gamma(length: int, dtype: str) -> float:
    """Higham's gamma_n = n*u / (1 - n*u) for the dtype's unit roundoff u."""
    u = float(np.finfo(dtype).eps) / 2
    nu = length * u
    if nu >= 1:
        raise ValueError(f"reduction of length {length} has no error bound in {dtype}")
    return nu / (1 - nu)


def error_bound(case, magnitude: np.ndarray, kernel_dtype: str, reference_dtype: str) -> np.ndarray:
    """Per-element bound on |kernel - reference| for a correct kernel (see module docstring)."""
    length = case.reduction_length
    relative = gamma(length, kernel_dtype) + gamma(length, reference_dtype)
    underflow = 2 * length * (float(np.finfo(kernel_dtype).tiny) + float(np.finfo(reference_dtype).tiny))
    return relative * np.asarray(magnitude, dtype=np.float64) + underflow

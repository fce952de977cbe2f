"""What a kernel's output is checked against: the forward convolution or one of its gradients.

Both checks have one interface, so `checking.check_example` serves every row: `verdicts`
compares an output with every selected reference inside the error model's bound, `expected`
is the float64 result a report shows (with its bound and layout).
"""
from __future__ import annotations

import numpy as np

from reference.comparison import ERROR, FAIL, SKIP, Verdict, closer_to_float64, compare
from reference.gradients import GRADIENTS, gradient_bound, gradient_magnitude, numpy_gradients
from reference.block_oracle import numpy_block
from reference.tolerance import computed_in, error_bound
from runner.isolation import short_error


def compare_with_references(actual, oracle, references, expected_of, bound, kernel_dtype, case_dtype,
                            why_not) -> list[Verdict]:
    """One verdict per reference: `why_not(ref)` skips it, `expected_of(ref)` is what it
    computes (the oracle for an exact one), `bound(a, b)` the error two computations in
    formats a and b may differ by; the kernel computes in `kernel_dtype`, a framework in the
    case's dtype.

    A framework that disagrees with the kernel while it lies outside its own bound of the
    float64 oracle, the kernel inside its own, is wrong itself: a reference bug cannot turn a
    kernel's row red (its verdict is a skip that says so; the reference agreement row and
    reports/findings hold the reference to account)."""
    verdicts = []
    for ref in references:
        reason = why_not(ref)
        if reason:
            verdicts.append(Verdict(ref.name, SKIP, reason))
            continue
        try:
            expected = oracle if ref.exact else expected_of(ref)
        except Exception as exc:
            verdicts.append(Verdict(ref.name, ERROR, short_error(f"{ref.name} reference", exc)))
            continue
        ref_dtype = "float64" if ref.exact else case_dtype
        verdict = compare(ref.name, actual, expected, bound(kernel_dtype, ref_dtype))
        if verdict.status == FAIL and not ref.exact and np.shape(actual) == np.shape(expected):
            own = compare(ref.name, expected, oracle, bound(ref_dtype, "float64"))
            if not own.passed and compare(ref.name, actual, oracle, bound(kernel_dtype, "float64")).passed:
                verdict = Verdict(ref.name, SKIP, f"{ref.name} is wrong here, not the kernel: {ref.name} is off the "
                                                  f"float64 oracle ({own.message}) and the kernel is within its bound")
            else:
                verdict.message += "; " + closer_to_float64(actual, expected, oracle)
        verdicts.append(verdict)
    return verdicts


class ForwardCheck:
    """The convolution itself, or the block around it (model/epilogue.py), against numpy
    (float64; int64 for integer cases), torch and mxnet."""

    @staticmethod
    def verdicts(kernel, ex, actual, references) -> list[Verdict]:
        case = ex.case
        oracle, magnitude, floor = numpy_block(case, ex.arrays)
        return compare_with_references(
            actual, oracle, references,
            expected_of=lambda ref: ref.compute(case, ex.data, ex.weight, **ex.extras),
            bound=lambda a, b: error_bound(case, magnitude, a, b, floor),
            kernel_dtype=computed_in(case, ex.out_dtype), case_dtype=case.dtype,
            why_not=lambda ref: ref.why_unsupported(case))

    @staticmethod
    def expected(kernel, ex) -> tuple[np.ndarray, np.ndarray, str]:
        """The float64 result, its error bound and its layout (for the report's pictures)."""
        case = ex.case
        oracle, magnitude, floor = numpy_block(case, ex.arrays)
        return oracle, error_bound(case, magnitude, computed_in(case, ex.out_dtype), "float64", floor), case.layout


class GradientCheck:
    """One gradient (the kernel's `gradient`), against numpy's float64 gradients and torch autograd."""

    @staticmethod
    def verdicts(kernel, ex, actual, references) -> list[Verdict]:
        case, index = ex.case, GRADIENTS.index(kernel.gradient)
        arrays = (ex.data, ex.weight, ex.grad_out)
        magnitude = gradient_magnitude(case, kernel.gradient, *arrays)  # once, for every reference's bound
        return compare_with_references(
            actual, numpy_gradients(case, *arrays)[index], references,
            expected_of=lambda ref: ref.gradients(case, *arrays)[index],
            bound=lambda a, b: gradient_bound(case, kernel.gradient, magnitude, a, b), kernel_dtype=case.dtype,
            case_dtype=case.dtype, why_not=lambda ref: ref.why_unsupported(case, gradients=True))

    @staticmethod
    def expected(kernel, ex) -> tuple[np.ndarray, np.ndarray, str]:
        """The float64 gradient, its error bound and its layout (for the report's pictures)."""
        arrays = (ex.data, ex.weight, ex.grad_out)
        oracle = numpy_gradients(ex.case, *arrays)[GRADIENTS.index(kernel.gradient)]
        bound = gradient_bound(ex.case, kernel.gradient, gradient_magnitude(ex.case, kernel.gradient, *arrays),
                               ex.case.dtype, "float64")
        return oracle, bound, ex.case.layout if kernel.gradient == "input" else ex.case.weight_layout


def check_for(kernel):
    """The check a kernel's output gets."""
    return GradientCheck if kernel.gradient is not None else ForwardCheck

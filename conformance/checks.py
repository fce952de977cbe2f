"""What a kernel's output is checked against: the forward convolution or one of its gradients.

Both checks have one interface, so `checking.check_example` serves every row: `verdicts`
compares an output with every selected reference inside the error model's bound, `expected`
is the float64 result a report shows (with its bound and layout), `repro` the standalone
script of a failure.
"""
from __future__ import annotations

import numpy as np

from reference.comparison import ERROR, FAIL, SKIP, Verdict, closer_to_float64, compare
from reference.gradients import GRADIENTS, gradient_bound, gradient_length, gradient_magnitude, numpy_gradients
from reference.block_oracle import numpy_block
from reference.tolerance import error_bound
from reports.repro import backward_repro_script, repro_script
from runner.isolation import short_error


def compare_with_references(actual, oracle, references, expected_of, bound_for, why_not) -> list[Verdict]:
    """One verdict per reference: `why_not(ref)` skips it, `expected_of(ref)` is what it
    computes (the oracle for an exact one), `bound_for(ref)` the error it allows."""
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
        verdict = compare(ref.name, actual, expected, bound_for(ref))
        if verdict.status == FAIL and not ref.exact and np.shape(actual) == np.shape(expected):
            verdict.message += "; " + closer_to_float64(actual, expected, oracle)
        verdicts.append(verdict)
    return verdicts


def reference_dtype(ref, case) -> str:
    """The format a reference computes in: float64 for the oracle, else the case's dtype."""
    return "float64" if ref.exact else case.dtype


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
            bound_for=lambda ref: error_bound(case, magnitude, case.dtype, reference_dtype(ref, case), floor),
            why_not=lambda ref: ref.why_unsupported(case))

    @staticmethod
    def expected(kernel, ex) -> tuple[np.ndarray, np.ndarray, str]:
        """The float64 result, its error bound and its layout (for the report's pictures)."""
        case = ex.case
        oracle, magnitude, floor = numpy_block(case, ex.arrays)
        return oracle, error_bound(case, magnitude, case.dtype, "float64", floor), case.layout

    @staticmethod
    def repro(kernel, target, ex, script: str):
        return repro_script(kernel, target, ex, script)


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
            bound_for=lambda ref: gradient_bound(case, kernel.gradient, magnitude, reference_dtype(ref, case)),
            why_not=lambda ref: ref.why_unsupported(case, gradients=True))

    @staticmethod
    def expected(kernel, ex) -> tuple[np.ndarray, np.ndarray, str]:
        """The float64 gradient, its error bound and its layout (for the report's pictures)."""
        arrays = (ex.data, ex.weight, ex.grad_out)
        oracle = numpy_gradients(ex.case, *arrays)[GRADIENTS.index(kernel.gradient)]
        bound = gradient_bound(ex.case, kernel.gradient, gradient_magnitude(ex.case, kernel.gradient, *arrays),
                               "float64")
        return oracle, bound, "NHWC" if kernel.gradient == "input" else "HWOI"

    @staticmethod
    def repro(kernel, target, ex, script: str):
        arrays = {"data": ex.data, "weight": ex.weight, "grad_out": ex.grad_out}
        return backward_repro_script(kernel, kernel.gradient, gradient_length(ex.case, kernel.gradient), target,
                                     ex.case, arrays, script)


def check_for(kernel):
    """The check a kernel's output gets."""
    return GradientCheck if kernel.gradient is not None else ForwardCheck

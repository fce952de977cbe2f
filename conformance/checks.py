"""One example's checks: the context every check column reads, and the verdicts of the selected
columns (reference/check.py's interface: frameworks, relations, differentials alike).

What a kernel's output should be is the forward convolution (or the block around it,
model/epilogue.py) or, on a gradient row, one of its gradients: `Expectation` holds the float64
oracle, how a framework computes its own value, and the error model's bound between two
computations, so `ExampleContext.framework_verdict` serves every row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np

from conformance.self_checks import SELF_CHECKS
from model.selection import select_named
from reference.comparison import ERROR, FAIL, SKIP, Verdict, closer_to_float64, compare
from reference.gradients import GRADIENTS, gradient_bound, gradient_magnitude, numpy_gradients
from reference.block_oracle import numpy_block
from reference.registry import REFERENCES
from reference.tolerance import computed_in, error_bound
from runner.isolation import short_error

# Every check column, by name (reference/check.py's interface): the framework references, then
# the self-checks (relations, differentials); `--checks` selects from it, by name or group.
CHECKS = {**REFERENCES, **SELF_CHECKS}
CHECK_GROUPS = {group: tuple(name for name, c in CHECKS.items() if c.group == group)
                for group in dict.fromkeys(c.group for c in CHECKS.values())}


def select_checks(names: str | None) -> tuple:
    """The check columns named in a comma-separated list (all when None), or their groups
    ("frameworks", "relations", "differentials")."""
    return select_named(CHECKS, names, "check", CHECK_GROUPS)


@dataclass(frozen=True)
class Expectation:
    """What an output should be: the float64 `oracle`, `expected_of(ref)` (what a framework
    computes), `bound(a, b)` (the error two computations in formats a and b may differ by);
    the kernel computes in `kernel_dtype`, a framework in `case_dtype`."""

    oracle: np.ndarray
    expected_of: Callable
    bound: Callable
    kernel_dtype: str
    case_dtype: str


def forward_expectation(ex) -> Expectation:
    """The convolution, or its block, against numpy (float64; int64 for integer cases), torch,
    mxnet and onnxruntime."""
    case = ex.case
    oracle, magnitude, floor = numpy_block(case, ex.arrays)
    return Expectation(oracle, lambda ref: ref.compute(case, ex.data, ex.weight, **ex.extras),
                       lambda a, b: error_bound(case, magnitude, a, b, floor), computed_in(case, ex.out_dtype),
                       case.dtype)


def gradient_expectation(ex, gradient: str) -> Expectation:
    """One gradient (a gradient row's), against numpy's float64 gradients and torch autograd."""
    case, index = ex.case, GRADIENTS.index(gradient)
    arrays = (ex.data, ex.weight, ex.grad_out)
    magnitude = gradient_magnitude(case, gradient, *arrays)  # once, for every reference's bound
    return Expectation(numpy_gradients(case, *arrays)[index], lambda ref: ref.gradients(case, *arrays)[index],
                       lambda a, b: gradient_bound(case, gradient, magnitude, a, b), case.dtype, case.dtype)


def expected_output(kernel, ex) -> tuple[np.ndarray, np.ndarray, str]:
    """The float64 result a report shows, its error bound and its layout (for the pictures)."""
    if kernel.gradient is None:
        expectation = forward_expectation(ex)
        layout = ex.case.layout
    else:
        expectation = gradient_expectation(ex, kernel.gradient)
        layout = ex.case.layout if kernel.gradient == "input" else ex.case.weight_layout
    return expectation.oracle, expectation.bound(expectation.kernel_dtype, "float64"), layout


@dataclass
class ExampleContext:
    """One checked example as every check column sees it: the row's kernel and target, the
    example, the kernel's output, and `run(kernel, target, example)` for follow-ups."""

    kernel: object
    target: object
    ex: object
    actual: np.ndarray
    run: Callable
    plans: dict = field(default_factory=dict)  # a self-check's plan (or why none), once per example

    @property
    def case(self):
        return self.ex.case

    @property
    def gradient(self) -> str | None:
        return self.kernel.gradient

    @cached_property
    def expectation(self) -> Expectation:
        return forward_expectation(self.ex) if self.gradient is None else gradient_expectation(self.ex, self.gradient)

    @cached_property
    def why_no_follow_up(self) -> str | None:
        """Why no check that runs the kernel again takes this example (None: they may)."""
        if self.gradient is not None:
            return "self-checks check the forward convolution"
        if np.shape(self.actual) != tuple(self.case.output_shape):  # the framework columns report the shape
            return (f"the output's shape is {np.shape(self.actual)}, not the case's "
                    f"{tuple(self.case.output_shape)}: nothing to relate")
        return None

    def framework_verdict(self, ref) -> Verdict:
        """The output against a framework reference (the oracle for an exact one).

        A framework that disagrees with the kernel while it lies outside its own bound of the
        float64 oracle, the kernel inside its own, is wrong itself: a reference bug cannot turn
        a kernel's row red (its verdict is a skip that says so; the reference agreement row and
        reports/findings hold the reference to account)."""
        e, actual = self.expectation, self.actual
        try:
            expected = e.oracle if ref.exact else e.expected_of(ref)
        except Exception as exc:
            return Verdict(ref.name, ERROR, short_error(f"{ref.name} reference", exc))
        ref_dtype = "float64" if ref.exact else e.case_dtype
        verdict = compare(ref.name, actual, expected, e.bound(e.kernel_dtype, ref_dtype))
        if verdict.status == FAIL and not ref.exact and np.shape(actual) == np.shape(expected):
            own = compare(ref.name, expected, e.oracle, e.bound(ref_dtype, "float64"))
            if not own.passed and compare(ref.name, actual, e.oracle, e.bound(e.kernel_dtype, "float64")).passed:
                return Verdict(ref.name, SKIP, f"{ref.name} is wrong here, not the kernel: {ref.name} is off the "
                                               f"float64 oracle ({own.message}) and the kernel is within its bound")
            verdict.message += "; " + closer_to_float64(actual, expected, e.oracle)
        return verdict


def column_verdicts(checks, context: ExampleContext) -> list[Verdict]:
    """One verdict per check column, a skip with its reason where it does not take the example;
    where the example picks one (ConvExample.pick), of the checks that run the kernel again it
    gets only the picked one of those that take it."""
    reasons = {c.name: c.why_not(context) for c in checks}
    if context.ex.pick is not None and context.why_no_follow_up is None:
        applicable = [c for c in checks if c.reruns and reasons[c.name] is None]
        picked = applicable[context.ex.pick % len(applicable):][:1] if applicable else []
        checks = [c for c in checks if not c.reruns or c in picked]
    return [Verdict(c.name, SKIP, reasons[c.name]) if reasons[c.name] else c.verdict(context) for c in checks]

"""Checking one example: build, run, compare with every reference, record, raise on failure.

A row is checked in two phases: its pinned examples, each once (`pinned_failures`), then
Hypothesis' generated examples (`property_test`), whose failure is shrunk. `run_row` writes up
what the row found from the exception Hypothesis raises after replaying the minimal example:
that one case, noting the pinned examples that fail too; a pinned failure is written up as
such, never as shrunk, and only when no generated example failed.
"""
from __future__ import annotations

import functools
import time

import numpy as np
from hypothesis import given, settings, target as steer_towards
from hypothesis.errors import FlakyFailure

from kernels.isolation import InProcessRunner, short_error
from conformance.known_failures import known_failure
from reference.comparison import COMPILED, ERROR, FAIL, KNOWN, SKIP, Verdict, compare
from reference.numpy_oracle import numpy_reference, numpy_reference_and_magnitude
from reference.tolerance import error_bound
from reports.failures import write_failure
from reports.repro import repro_script
from strategies.inputs import conv_examples
from strategies.pinned import pinned_examples
from targets.rpc import DeviceLost


IN_PROCESS = InProcessRunner()


class ConformanceFailure(AssertionError):
    """A kernel disagreed with a reference, or failed to build or run. `write_up(**how)` writes
    the failing example to the report; `how` is FailureRecord's `nondeterministic`, `pinned`
    and `also_fails_on` (run_row calls it once, for the case the row reports)."""

    def __init__(self, message: str, write_up=None):
        super().__init__(message)
        self.write_up = write_up


def closer_to_float64(actual, expected, oracle) -> str:
    """Which of the two disagreeing float computations lies nearer the float64 oracle."""
    tvm_error = float(np.max(np.abs(actual - oracle), initial=0.0))
    ref_error = float(np.max(np.abs(expected - oracle), initial=0.0))
    side = "TVM" if tvm_error < ref_error else "the reference" if ref_error < tvm_error else "neither"
    return f"closer to float64: {side} (TVM {tvm_error:.3g}, reference {ref_error:.3g})"


def reference_verdicts(case, data, weight, actual, references) -> list[Verdict]:
    """Compare `actual` with each reference inside the error model's bound."""
    oracle, magnitude = numpy_reference_and_magnitude(case, data, weight)
    verdicts = []
    for ref in references:
        reason = ref.why_unsupported(case)
        if reason:
            verdicts.append(Verdict(ref.name, SKIP, reason))
            continue
        try:
            expected = oracle if ref.exact else ref.compute(case, data, weight)
        except Exception as exc:
            verdicts.append(Verdict(ref.name, ERROR, short_error(f"{ref.name} reference", exc)))
            continue
        bound = error_bound(case, magnitude, case.dtype, "float64" if ref.exact else case.dtype)
        verdict = compare(ref.name, actual, expected, bound)
        if verdict.status == FAIL and not ref.exact and np.shape(actual) == np.shape(expected):
            verdict.message += "; " + closer_to_float64(actual, expected, oracle)
        verdicts.append(verdict)
    return verdicts


def same_verdict(references, status: str, message: str) -> list[Verdict]:
    """One verdict of `status` per reference: the kernel gave no output to compare."""
    return [Verdict(ref.name, status, message) for ref in references]


def check_example(kernel, target, ex, references, results, report_dir, runner=None) -> list[Verdict]:
    """Check one example of one row; record it; raise ConformanceFailure when it fails."""
    started = time.perf_counter()
    case, data, weight = ex.case, ex.data, ex.weight
    outcome = (runner or IN_PROCESS).run(kernel, case, target, ex.options, data, weight)
    if outcome.compile_only:
        verdicts = same_verdict(references, COMPILED, outcome.compile_only)
        results.record_verdicts(kernel.name, target.name, verdicts, time.perf_counter() - started)
        return verdicts
    if outcome.device_lost:  # not the kernel's doing: nothing to shrink or write up
        results.record_verdicts(kernel.name, target.name, same_verdict(references, ERROR, outcome.error),
                                time.perf_counter() - started)
        raise DeviceLost(outcome.error)
    if outcome.error:
        verdicts = same_verdict(references, ERROR, outcome.error)
    else:
        verdicts = reference_verdicts(case, data, weight, outcome.actual, references)
    for v in verdicts:
        known = known_failure(kernel.name, target.name, v.message) if v.status in (FAIL, ERROR) else None
        if known is not None:
            v.status, v.message = KNOWN, f"known ({known.finding}): {v.message}"
    results.record_verdicts(kernel.name, target.name, verdicts, time.perf_counter() - started, outcome.actual)
    failing = [v for v in verdicts if v.status in (FAIL, ERROR)]
    if not failing:
        return verdicts
    write_up = functools.partial(report_failure, (kernel, target, ex, outcome, verdicts), results, report_dir)
    raise ConformanceFailure(f"{kernel.name} on {target.name}, {case.summary()}:\n"
                             + "\n".join(f"  {v.reference}: {v.status}: {v.message}" for v in failing), write_up)


def report_failure(found: tuple, results, report_dir, **how) -> None:
    """Write one failing example up (repro, bug report) and record it in the run's results;
    `how`: nondeterministic, pinned, also_fails_on (see FailureRecord)."""
    kernel, target, ex, outcome, verdicts = found
    expected = numpy_reference(ex.case, ex.data, ex.weight) if outcome.actual is not None else None
    repro = repro_script(kernel, target, ex, outcome.script) if outcome.script is not None else None
    results.record_failure(write_failure(report_dir, kernel, target, ex, repro, verdicts,
                                         outcome.actual, expected, outcome.error, **how))


def pinned_failures(kernel, target, references, results, report_dir, runner=None) -> list:
    """Check the row's pinned examples, each once: (name, ConformanceFailure) for each that fails."""
    failed = []
    for name, ex in pinned_examples(kernel, target):
        try:
            check_example(kernel, target, ex, references, results, report_dir, runner)
        except ConformanceFailure as failure:
            failed.append((name, failure))
    return failed


def run_row(test, pinned: list = ()) -> None:
    """Run a row's Hypothesis test and write up what the row found, once.

    The exception Hypothesis raises comes from its final replay of the minimal example: that
    case is written up, naming the `pinned` (pinned_failures) examples that fail too. A
    failure that passes when replayed (output that depends on more than the inputs: memory
    the kernel does not own, a race) is written up marked nondeterministic. When only pinned
    examples failed, the first is written up as a pinned example, not shrunk.
    """
    also = tuple(name for name, _ in pinned)
    try:
        test()
    except ConformanceFailure as failure:
        failure.write_up(also_fails_on=also)
        raise
    except FlakyFailure as flaky:
        first = flaky.subgroup(lambda e: isinstance(e, ConformanceFailure) and e.write_up is not None)
        if first is None:
            raise
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        first.write_up(nondeterministic=True, also_fails_on=also)
        raise ConformanceFailure(f"nondeterministic (failed, then passed when replayed): {first}") from None
    if pinned:
        name, failure = pinned[0]
        failure.write_up(pinned=name, also_fails_on=also[1:])
        raise ConformanceFailure(f"pinned example {name} fails (no generated example failed, so nothing was "
                                 f"shrunk): {failure}")


def property_test(kernel, target, references, results, report_dir, runner=None):
    """The Hypothesis test of one kernel x target row's generated examples, steered towards
    the largest error relative to its bound (pinned examples: `pinned_failures`)."""

    def check_row(ex):
        verdicts = check_example(kernel, target, ex, references, results, report_dir, runner)
        steer_towards(max((v.normalized_error for v in verdicts if np.isfinite(v.normalized_error)),
                          default=0.0), label="error / bound")

    # Each row gets its own example-database key, as Hypothesis' pytest plugin does for
    # parametrized tests: a failure of one row must not be replayed on another.
    check_row._hypothesis_internal_add_digest = f"dwconf:{kernel.name}-{target.examples_key}".encode()
    test = given(ex=conv_examples(target.restrict(kernel.space, kernel.kind), kernel.options))(check_row)
    # Slow-to-build kernels get their share of the examples, except in the nightly profile.
    if kernel.example_share < 1 and settings.get_current_profile_name() != "nightly":
        current = settings.default
        test = settings(current, max_examples=max(5, int(current.max_examples * kernel.example_share)))(test)
    return test

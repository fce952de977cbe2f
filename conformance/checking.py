"""Checking one example: build, run, compare with every reference, record, raise on failure.

A row is checked in two phases: its pinned examples, each once (`pinned_failures`), then
Hypothesis' generated examples (`property_test`), whose failure is shrunk. `run_row` writes up
what the row found from the exception Hypothesis raises after replaying the minimal example:
that one case, noting the pinned examples that fail too; a pinned failure is written up as
such, never as shrunk, and only when no generated example failed.
"""
from __future__ import annotations

import dataclasses
import functools
import time

import numpy as np
from hypothesis import currently_in_test_context, event, given, settings, target as steer_towards
from hypothesis.errors import FlakyFailure

from conformance.checks import ExampleContext, column_verdicts, expected_output
from conformance.examples_key import key_examples
from findings.table import known_failure, reached
from model.coverage import case_classes, option_classes, possible_classes
from model.failure import CRASH, ERROR as ERRORED, SHAPE, VALUES, Evidence, Failure
from model.row import row_id
from reference.comparison import COMPILED, ERROR, KNOWN, Verdict
from runner.isolation import InProcessRunner
from strategies.inputs import batches, conv_examples
from strategies.budget import nightly, row_examples, share_of
from strategies.pinned import pinned_examples
from targets.rpc import DeviceLost


IN_PROCESS = InProcessRunner()


class ConformanceFailure(AssertionError):
    """A kernel disagreed with a reference, or failed to build or run. `write_up(**how)` hands
    the failing example to the write-up listener; `how` is Failure's `nondeterministic`,
    `pinned` and `also_fails_on` (run_row calls it once, for the case the row reports)."""

    def __init__(self, message: str, write_up=None):
        super().__init__(message)
        self.write_up = write_up


def same_verdict(references, status: str, message: str) -> list[Verdict]:
    """One verdict of `status` per reference: the kernel gave no output to compare."""
    return [Verdict(ref.name, status, message) for ref in references]


def check_example(kernel, target, ex, references, results, write_up, runner=None) -> list[Verdict]:
    """Check one example of one row (its kernel's check: the convolution or a gradient, against
    the `references`, and the self-checks among them: relations, differentials); record it in
    `results`; raise ConformanceFailure when it fails (its write-up goes to the `write_up`
    listener: reports/failures.py FailureWriter)."""
    started = time.perf_counter()
    outcome = (runner or IN_PROCESS).run(kernel, target, ex)
    classes = {**case_classes(ex.case), **option_classes(kernel, ex.options)}
    if currently_in_test_context():  # a generated example: its classes are Hypothesis events too
        for name, cls in classes.items():
            event(f"{name}: {cls}")
    record = functools.partial(results.record_verdicts, kernel.name, target.name, classes=classes)
    if outcome.compile_only:
        verdicts = same_verdict(references, COMPILED, outcome.compile_only)
        record(verdicts, time.perf_counter() - started)
        return verdicts
    if outcome.device_lost:  # not the kernel's doing: nothing to shrink or write up
        record(same_verdict(references, ERROR, outcome.error), time.perf_counter() - started)
        raise DeviceLost(outcome.error)
    if outcome.error:
        verdicts = same_verdict(references, ERROR, outcome.error)
    else:
        verdicts = column_verdicts(references, ExampleContext(kernel, target, ex, outcome.actual,
                                                              (runner or IN_PROCESS).run))
    triggers = reached(kernel.reaches, outcome.script) if any(v.failed for v in verdicts) else frozenset()
    for v in verdicts:
        known = known_failure(triggers, target.name, v.message) if v.failed else None
        if known is not None:
            v.status, v.message = KNOWN, f"known ({known.finding.path}): {v.message}"
            results.record_known(known.key)
    record(verdicts, time.perf_counter() - started, outcome.actual)
    failing = [v for v in verdicts if v.failed]
    if not failing:
        return verdicts
    def write_failure(**how):
        write_up(failure_of(kernel, target, ex, outcome, verdicts, **how))

    raise ConformanceFailure(f"{kernel.name} on {target.name}, {ex.case.summary()}:\n"
                             + "\n".join(f"  {v.reference}: {v.status}: {v.message}" for v in failing), write_failure)


def failure_of(kernel, target, ex, outcome, verdicts, nondeterministic=False, pinned=None,
               also_fails_on=()) -> Failure:
    """The record of one failing example, with the evidence its write-up renders."""
    failing = [v for v in verdicts if v.failed]
    if outcome.error:
        kind = CRASH if outcome.died else SHAPE if outcome.error.startswith("shape error") else ERRORED
        message = outcome.error
    else:
        kind = SHAPE if any(v.message.startswith("shape ") for v in failing) else VALUES
        message = "; ".join(f"{v.reference}: {v.message}" for v in failing)
    if nondeterministic:
        message = f"nondeterministic (failed, then passed when replayed): {message}"
    oracle, bound, layout = expected_output(kernel, ex) if outcome.actual is not None else (None,) * 3
    return Failure(kind, kernel.name, target.name,
                   ex.case.summary() + (f"  # options {dict(ex.options)}" if ex.options else ""), message,
                   [v.to_dict() for v in verdicts], ex.case.to_dict(), nondeterministic, pinned, list(also_fails_on),
                   evidence=Evidence(kernel, target, ex, verdicts, outcome.actual, oracle, bound, layout,
                                     outcome.error, outcome.script))


def pinned_failures(kernel, target, references, results, write_up, runner=None) -> list:
    """Check the row's pinned examples, each once: (name, ConformanceFailure) for each that fails."""
    failed = []
    for name, ex in pinned_examples(kernel, target):
        try:
            check_example(kernel, target, ex, references, results, write_up, runner)
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
        if failure.write_up is not None:
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


# The most geometries one Hypothesis example checks in a row of a shape-generic kernel (about
# half that on average): Hypothesis' cost is mostly per example, so a batch checks many
# geometries of one compiled kernel for less (bench/benchmark.py, "generic batched"). A failing
# batch shrinks to its one failing member, reported like any other case.
GENERIC_BATCH = 32


def property_test(kernel, target, references, results, write_up, runner=None, every_self_check=False,
                  batch: int | None = None):
    """The Hypothesis test of one kernel x target row's generated examples, steered towards
    the largest error relative to its bound (pinned examples: `pinned_failures`). Each example
    gets one self-check among `references` (drawn), or with `every_self_check` (and in the
    nightly profile) all of them. A shape-generic kernel's example is a batch of up to `batch`
    (default GENERIC_BATCH) geometries, checked in turn until one fails; batch=1 checks one per
    example, as static kernels always do."""

    # Hypothesis derives a row's derandomized examples from check_row's source too: keep it as
    # is (so `report_dir` names the write-up listener here).
    report_dir = write_up

    def check_row(ex):
        verdicts = check_example(kernel, target, ex, references, results, report_dir, runner)
        steer_towards(max((v.normalized_error for v in verdicts if np.isfinite(v.normalized_error)),
                          default=0.0), label="error / bound")

    def check_batch(batch):
        errors = [0.0]
        for ex in batch:
            verdicts = check_example(kernel, target, ex, references, results, report_dir, runner)
            errors += [v.normalized_error for v in verdicts if np.isfinite(v.normalized_error)]
        steer_towards(max(errors), label="error / bound")

    space = target.restrict(kernel.space, kernel.kind)
    if kernel.generic is not None:
        # A shape-generic kernel builds once per dtype, so its cost is its dtypes: a target with
        # a share of the examples gets a like share of them (a compile-only GPU row: float32).
        space = dataclasses.replace(space, dtypes=tuple(share_of(list(space.dtypes), target.example_share)))
    results.expect_classes(kernel.name, target.name, {**possible_classes(space), **(kernel.option_classes or {})})
    pick = any(r.reruns for r in references) and not every_self_check and not nightly()
    examples = conv_examples(space, kernel.options, kernel.gradient is not None, pick)
    key = f"dwconf:{row_id(kernel.name, target.examples_key)}"
    size = (batch or GENERIC_BATCH) if kernel.generic is not None else 1
    if size > 1:
        test = given(batch=batches(examples, size))(key_examples(check_batch, key))
    else:
        test = given(ex=examples)(key_examples(check_row, key))
    # Slow-to-build kernels and costly targets (GPU targets with no device here among them) get
    # their share of the examples, except in the nightly profile (strategies/budget.py).
    count = row_examples(kernel.example_share, target.example_share, compile_only=not target.runnable)
    return test if count is None else settings(settings.default, max_examples=count)(test)

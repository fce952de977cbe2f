"""Check columns that run the kernel again instead of asking a framework: the metamorphic
relations (reference/relations.py) and the compilation differentials defined here.

A differential builds the same module another way and runs it on the same example; the two
must agree. Each says whether both sides do the same arithmetic in the same order (then any
difference fails) or may legitimately round differently (then within the error model's bound,
the case's dtype on both sides). A failure names both settings.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from findings.table import known_failure, reached
from model.example import BOUND_INPUTS
from model.padding import shape_derived_padding
from reference.check import Check
from reference.comparison import ERROR, FAIL, SKIP, Verdict, compare
from reference.relations import RELATIONS, RELATIONS_GROUP, FollowUp, kernel_error_bound, output_nchw

DIFFERENTIALS_GROUP = "differentials"


def describe(run: tuple, kernel, target) -> str:
    """A follow-up run in a message: its case, and its kernel or target where not the row's."""
    run_kernel, run_target, example = run
    parts = [example.case.summary()]
    if run_kernel is not kernel:
        parts.append(f"kernel {run_kernel.name}")
    if run_target is not target:
        parts.append(f"target {run_target.name}")
    return ", ".join(parts)


@dataclass(frozen=True)
class SelfCheck(Check):
    """A check column that needs no reference: `plan(kernel, target, ex, actual)` gives the
    FollowUp runs (reference/relations.py) or the reason it does not apply."""

    name: str
    claim: str
    plan: Callable
    group: str
    reruns = True

    def why_not(self, context) -> str | None:
        """Check's: the example's reason (a gradient row, an output of the wrong shape), or the plan's."""
        if context.why_no_follow_up:
            return context.why_no_follow_up
        if self.name not in context.plans:
            context.plans[self.name] = plan_of(self, context.kernel, context.target, context.ex, context.actual)
        plan = context.plans[self.name]
        return None if isinstance(plan, FollowUp) else plan

    def verdict(self, context) -> Verdict:
        """Check's: run the follow-ups and compare."""
        return self_check_verdict(self, context.plans[self.name], context.kernel, context.target, context.ex,
                                  context.run)


def why_no_relation(ex) -> str | None:
    """Relations are stated for the bare float convolution on inputs the kernel takes as arguments."""
    if ex.case.epilogue:
        return "relations are stated for the bare convolution, not a block with an epilogue"
    if ex.case.is_integer:
        return "relations are stated for float cases (scaled integer follow-ups would overflow)"
    if ex.case.padding_mode != "zeros":
        return f"relations are stated for zero padding, not {ex.case.padding_mode} (their follow-ups move the border)"
    if dict(ex.options).get(BOUND_INPUTS) is not None:
        return "the module has this example's inputs bound as constants: a follow-up cannot change them"
    derived = shape_derived_padding(dict(ex.options))
    if derived:
        return (f"the padding form ({derived}) holds for this example's pads and shape only: a follow-up "
                "with others would need another form")
    return None


def relation_check(relation) -> SelfCheck:
    def plan(kernel, target, ex, actual):
        reason = why_no_relation(ex)
        if reason:
            return reason
        return relation.derive(ex, actual)

    return SelfCheck(relation.name, relation.claim, plan, RELATIONS_GROUP)


def same_example(kernel, target, ex, actual, bound=0.0):
    """A differential's plan: `kernel` on `target` runs `ex` and must give `actual`."""
    return FollowUp((ex,), output_nchw(ex.case, actual), lambda outs: output_nchw(ex.case, outs[0]), bound,
                    kernel, target)


def opt_level_0(kernel, target, ex, actual):
    unoptimized = dataclasses.replace(target, name=f"{target.name}@opt_level=0", opt_level=0)
    return same_example(kernel, unoptimized, ex, actual, lambda: kernel_error_bound(ex))


def c_against_llvm(kernel, target, ex, actual):
    from targets.discovery import discover_targets

    if target.spec.get("kind") != "llvm":
        return "compares llvm targets (local or remote) with this host's c target"
    c = next(t for t in discover_targets() if t.name == "c")
    reason = c.why_unavailable or c.why_not_runnable or kernel.why_unsupported(ex.case, c)
    if reason:
        return f"c target: {reason}"
    return same_example(kernel, c, ex, actual, lambda: kernel_error_bound(ex))


def unscheduled(kernel, target, ex, actual):
    if kernel.schedule is None:
        return f"{kernel.name} has no schedule of its own"
    plain = dataclasses.replace(kernel, name=f"{kernel.name}/unscheduled", schedule=None, options=None)
    # GPU targets give the unscheduled compute dlight's default schedule: hand schedule vs dlight.
    return same_example(plain, target, dataclasses.replace(ex, options=()), actual, lambda: kernel_error_bound(ex))


DIFFERENTIALS = (
    SelfCheck("opt_level_0", "the module built under PassContext(opt_level=0) agrees with the default build "
              "within the error bound (LLVM may contract multiply-adds differently)", opt_level_0, DIFFERENTIALS_GROUP),
    SelfCheck("c_vs_llvm", "the c target's build agrees with the llvm target's within the error bound (C "
              "compilers and LLVM contract and vectorize differently)", c_against_llvm, DIFFERENTIALS_GROUP),
    SelfCheck("unscheduled", "the kernel's schedule (tiles, vectors, threads, shared memory) agrees with its "
              "plain compute (dlight's default on GPUs) within the error bound", unscheduled, DIFFERENTIALS_GROUP),
)

SELF_CHECKS: dict[str, SelfCheck] = {
    **{name: relation_check(r) for name, r in RELATIONS.items()},
    **{d.name: d for d in DIFFERENTIALS},
}


def plan_of(check, kernel, target, ex, actual):
    """The check's FollowUp for this example, or the reason it does not apply."""
    try:
        plan = check.plan(kernel, target, ex, actual)
    except ValueError as exc:  # a follow-up case that is not a valid convolution
        return f"no follow-up case: {exc}"
    if isinstance(plan, FollowUp):
        for run_kernel, run_target, example in plan.runs(kernel, target):
            reason = run_kernel.why_unsupported(example.case, run_target, follow_up=True)
            if reason:
                return f"follow-up {example.case.summary()}: {reason}"
    return plan


def self_check_verdict(check, plan, kernel, target, ex, run) -> Verdict:
    """Run a check's follow-ups and compare; a skip when `plan` is the reason it does not apply."""
    if not isinstance(plan, FollowUp):
        return Verdict(check.name, SKIP, plan)
    outputs = []
    runs = plan.runs(kernel, target)
    for r in runs:
        run_kernel, run_target, _ = r
        outcome = run(*r)
        if outcome.error or outcome.compile_only:
            message = f"follow-up ({describe(r, kernel, target)}): {outcome.error or outcome.compile_only}"
            if outcome.compile_only:
                return Verdict(check.name, SKIP, message)
            # A follow-up on another target (c_vs_llvm) may meet a finding of that target.
            known = known_failure(reached(run_kernel.reaches, outcome.script), run_target.name, outcome.error)
            if known is not None:
                return Verdict(check.name, SKIP, f"known on {run_target.name} ({known.finding.path}): {message}")
            return Verdict(check.name, ERROR, message)
        outputs.append(outcome.actual)
    try:
        observed = plan.combine(outputs)
    except ValueError as exc:
        return Verdict(check.name, FAIL, f"follow-up outputs do not fit together: {exc}",
                       normalized_error=float("inf"))
    verdict = compare(check.name, observed, plan.expected, plan.bound() if callable(plan.bound) else plan.bound)
    if verdict.failed:
        described = "; ".join(describe(r, kernel, target) for r in runs[:3])
        verdict.message = f"{check.claim}. Violated: {verdict.message} (NCHW); follow-up: {described}"
    return verdict

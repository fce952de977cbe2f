"""Rows of inputs that must be refused: each path (kernels/refusal_paths.py) x CPU target tries
drawn invalid convolutions (strategies/invalid.py) of the members of the family it builds, in
the isolation worker. Refused with a
Python exception passes; accepted, a crash or a hang fails, is shrunk, and written up in the
report's own section, beside what torch does with the same input. A failure a finding
explains (findings/table.py, kernel "refuse:<path>") counts as known.
"""
from __future__ import annotations

from hypothesis import event, given, settings

from conformance.examples_key import key_examples
from findings.table import known_failure
from model.failure import REFUSAL, Evidence, Failure
from model.row import row_id
from reference.torch_reference import torch_on_invalid
from strategies.budget import defect_examples
from strategies.invalid import invalid_convs

KNOWN, REFUSED = "known", "refused"


class NotRefused(AssertionError):
    """An invalid input was accepted, or crashed or hung the worker; `failure` describes it."""

    def __init__(self, failure: Failure, conv):
        super().__init__(f"{failure.kernel} on {failure.target}: {failure.case_summary}: {failure.message}")
        self.failure, self.conv = failure, conv


def RefusalFailure(path: str, target: str, defect: str, summary: str, outcome: str, message: str,  # noqa: N802
                   torch: str) -> Failure:
    """The record of an invalid input a path did not refuse (named as check_refusal calls it:
    Hypothesis seeds a refusal row's examples from that function's source)."""
    return Failure(REFUSAL, f"refuse:{path}", target, summary, f"{outcome}: {message}", defect=defect, torch=torch)


def why_not_refusal_row(path, target) -> str | None:
    """None when invalid inputs are tried on `path` for `target`, else why not."""
    if target.why_unavailable:
        return target.why_unavailable
    if target.spec.get("mcpu"):
        return "input validation comes before code generation: the plain llvm row covers it"
    if target.gpu or target.rpc or not target.runnable:
        return ("invalid inputs are tried on local CPU targets that run (a GPU build needs a schedule "
                "first, so the refusal checked would be the scheduler's, not the operator's)")
    return None


def try_invalid(path, target, conv, runner):
    """(outcome, message): refused / accepted / crash / timeout, what TVM said or did."""
    result = runner.call(path.attempt, conv.to_dict(), dict(target.spec), target.runnable)
    if isinstance(result, tuple):
        return result
    return result.error.split(":", 1)[0], result.error  # the runner's Outcome: the worker died


def refusal_test(path, target, defect, results, runner):
    """The Hypothesis test of one defect on one path x target row (its share of the examples)."""
    kernel = f"refuse:{path.name}"

    def check_refusal(conv):
        outcome, message = try_invalid(path, target, conv, runner)
        event(f"{conv.member} {conv.defect}: {outcome}")
        if outcome != REFUSED:
            known = known_failure(frozenset({kernel}), target.name, f"{conv.member} {conv.defect}: {outcome}: {message}")
            if known is not None:
                results.record_known(known.key)
                outcome = KNOWN
        results.record_refusal(path.name, target.name, outcome)
        if outcome not in (REFUSED, KNOWN):
            raise NotRefused(RefusalFailure(path.name, target.name, conv.defect, conv.summary(), outcome, message,
                                            torch_on_invalid(conv)), conv)

    key_examples(check_refusal, f"dwconf:{row_id(kernel, target.name)}:{defect}")
    test = given(conv=invalid_convs((defect,), path.members_for(defect)))(check_refusal)
    return settings(settings.default, max_examples=defect_examples(len(path.defects)))(test)


def run_refusal_row(path, target, results, write_up, runner) -> None:
    """Run the row, one Hypothesis test per defect; hand the shrunk input of each defect that was
    not refused to the `write_up` listener, then fail naming them all."""
    failures = []
    for defect in path.defects:
        try:
            refusal_test(path, target, defect, results, runner)()
        except NotRefused as not_refused:
            not_refused.failure.evidence = Evidence(path, target, not_refused.conv)
            write_up(not_refused.failure)
            failures.append(str(not_refused))
    if failures:
        raise AssertionError("invalid inputs not refused:\n" + "\n".join(failures))

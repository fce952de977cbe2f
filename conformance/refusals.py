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
from model.row import row_id
from reference.torch_reference import torch_on_invalid
from reports.refusals import RefusalFailure, refusal_repro, write_refusal_failure
from strategies.invalid import invalid_convs

KNOWN, REFUSED = "known", "refused"
MIN_EXAMPLES_PER_DEFECT = 3


class NotRefused(AssertionError):
    """An invalid input was accepted, or crashed or hung the worker; `failure` describes it."""

    def __init__(self, failure: RefusalFailure, conv):
        super().__init__(f"{failure.path} on {failure.target}: {failure.input}: {failure.outcome}: {failure.message}")
        self.failure, self.conv = failure, conv


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
    share = max(MIN_EXAMPLES_PER_DEFECT, settings.default.max_examples // len(path.defects))
    return settings(settings.default, max_examples=share)(test)


def run_refusal_row(path, target, results, report_dir, runner) -> None:
    """Run the row, one Hypothesis test per defect; write up the shrunk input of each defect that
    was not refused, then fail naming them all."""
    failures = []
    for defect in path.defects:
        try:
            refusal_test(path, target, defect, results, runner)()
        except NotRefused as not_refused:
            repro = refusal_repro(path, target, not_refused.conv)
            results.refusal_failures.append(write_refusal_failure(report_dir, not_refused.failure, repro))
            failures.append(str(not_refused))
    if failures:
        raise AssertionError("invalid inputs not refused:\n" + "\n".join(failures))

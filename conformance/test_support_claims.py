"""The suite's support claims still hold on this TVM (conformance/support_claims.py)."""
import pytest

from conformance.support_claims import CLAIMS, CannotCheck


# Marked like the finding tests: a claim runs when the selection has one of its kernels and targets.
@pytest.mark.parametrize("claim", [pytest.param(c, marks=pytest.mark.finding(kernels=c.kernels, targets=c.targets))
                                   for c in CLAIMS], ids=lambda c: c.name)
def test_support_claim_still_holds(claim):
    try:
        evidence = claim.check()
    except CannotCheck as reason:
        pytest.skip(f"{claim.name}: {reason}")
    assert evidence is None, (f"{claim.where} says: {claim.claim}. It no longer holds on this TVM: {evidence}. "
                              "Update the claim (and run the rows it kept out).")


def strict_xfail_reasons(module) -> set:
    """The reasons of the strict xfails on `module`'s tests, parametrized ones included."""
    marks = [m for obj in vars(module).values() for m in getattr(obj, "pytestmark", [])]
    marks += [m for mark in marks if mark.name == "parametrize" for param in mark.args[1]
              for m in getattr(param, "marks", ())]
    return {m.kwargs["reason"] for m in marks if m.name == "xfail" and m.kwargs.get("strict")}


def test_every_claim_resting_on_a_finding_has_its_strict_xfail():
    import conformance.test_findings
    from findings.table import EXCLUSIONS, KNOWN_FAILURES

    pinned = strict_xfail_reasons(conformance.test_findings)
    for entry in (*EXCLUSIONS, *KNOWN_FAILURES):
        if entry.finding is not None:
            assert entry.finding.path in pinned, f"{entry} rests on {entry.finding.path}, which has no strict xfail"

"""The suite's support claims still hold on this TVM (conformance/support_claims.py)."""
import ast
from pathlib import Path

import pytest

from conformance.support_claims import CLAIMS, CannotCheck

ROOT = Path(__file__).resolve().parents[1]


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


def test_every_claim_resting_on_a_finding_has_its_strict_xfail():
    from findings.table import EXCLUSIONS, KNOWN_FAILURES

    tree = ast.parse((ROOT / "conformance" / "test_findings.py").read_text())
    pinned = {kw.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
              for kw in node.keywords if kw.arg == "reason" and isinstance(kw.value, ast.Constant)
              and any(isinstance(k, ast.keyword) and k.arg == "strict" and getattr(k.value, "value", False)
                      for k in node.keywords)}
    for entry in (*EXCLUSIONS, *KNOWN_FAILURES):
        if entry.finding is not None:
            assert entry.finding.path in pinned, f"{entry} rests on {entry.finding.path}, which has no strict xfail"

"""The framework references against the float64 oracle and each other (no TVM in the loop):
a reference outside its own bound is a finding against that framework, and the verdict says
which of two disagreeing references lies closer to float64 (conformance/reference_agreement.py)."""
import time

import pytest
from hypothesis import given

from conformance.reference_agreement import AGREEMENT_ROW, agreement_verdicts
from model.axis import ALL_LAYOUTS, RANKS
from model.case import DTYPES, INTEGER_DTYPES, PADDING_MODES
from model.coverage import case_classes, possible_classes
from model.epilogue import EPILOGUES
from model.space import CaseSpace
from reference.check import FRAMEWORKS
from strategies.inputs import conv_examples

# The whole family: every rank and direction in every layout (epilogues: the forward 2-D member's).
SPACE = CaseSpace(ranks=RANKS, directions=(False, True), layouts=ALL_LAYOUTS, dtypes=DTYPES + INTEGER_DTYPES,
                  epilogues=EPILOGUES, padding_modes=tuple(PADDING_MODES), max_kernel=5, max_extent=12)


def test_references_agree(selected_references, run_results):
    frameworks = [r for r in selected_references if r.group == FRAMEWORKS and not r.exact]
    usable = [r for r in frameworks if r.why_unavailable() is None]
    if len(usable) < 1:
        reasons = "; ".join(f"{r.name}: {r.why_unavailable()}" for r in frameworks) or "none selected"
        run_results.record_skip(*AGREEMENT_ROW, f"no framework reference to check ({reasons})")
        pytest.skip(f"no framework reference to check ({reasons})")
    run_results.expect_classes(*AGREEMENT_ROW, possible_classes(SPACE))

    @given(ex=conv_examples(SPACE))
    def check(ex):
        started = time.perf_counter()
        verdicts = agreement_verdicts(ex, frameworks)
        run_results.record_verdicts(*AGREEMENT_ROW, verdicts, time.perf_counter() - started, classes=case_classes(ex.case))
        failing = [v for v in verdicts if v.failed]
        assert not failing, f"{ex.case.summary()}:\n" + "\n".join(f"  {v.reference}: {v.message}" for v in failing)

    check()

"""The references against each other, with no TVM in the loop: each framework reference must
lie within its own error bound of the float64 oracle on the drawn case (the error model's
gamma_n for the reference's dtype, reference/tolerance.py), and where two of them disagree by
more than the sum of their bounds the verdict says which lies closer to float64: the other's
framework has the finding to file."""
from __future__ import annotations

import itertools

import numpy as np

from reference.block_oracle import numpy_block
from reference.comparison import ERROR, FAIL, SKIP, Verdict, compare
from reference.tolerance import error_bound
from runner.isolation import short_error

# The matrix row these checks are recorded under (the report shows it beside the kernels' rows).
AGREEMENT_ROW = ("reference_agreement", "cpu")


def agreement_verdicts(ex, references) -> list[Verdict]:
    """One verdict per framework reference in `references`: its output against the float64
    oracle within its own bound; a failing one names each reference it disagrees with and
    which of the two lies closer to float64."""
    case = ex.case
    oracle, magnitude, floor = numpy_block(case, ex.arrays)
    outputs, verdicts = {}, {}
    for ref in references:
        reason = ref.why_unsupported(case)
        if reason:
            verdicts[ref.name] = Verdict(ref.name, SKIP, reason)
            continue
        try:
            outputs[ref.name] = np.asarray(ref.compute(case, ex.data, ex.weight, **ex.extras), np.float64)
        except Exception as exc:
            verdicts[ref.name] = Verdict(ref.name, ERROR, short_error(f"{ref.name} reference", exc))
            continue
        verdicts[ref.name] = compare(ref.name, outputs[ref.name], oracle,
                                     error_bound(case, magnitude, case.dtype, "float64", floor))
    pair_bound = error_bound(case, magnitude, case.dtype, case.dtype, floor)
    for a, b in itertools.combinations(outputs, 2):
        if outputs[a].shape != outputs[b].shape or np.all(np.abs(outputs[a] - outputs[b]) <= pair_bound):
            continue
        errors = {name: float(np.max(np.abs(outputs[name] - oracle), initial=0.0)) for name in (a, b)}
        closer = min(errors, key=errors.get)
        farther = b if closer == a else a
        verdict = verdicts[farther]
        verdict.status = FAIL
        verdict.message = "; ".join(filter(None, (verdict.message, (
            f"disagrees with {closer} beyond their bounds; closer to float64: {closer} "
            f"({errors[closer]:.3g} against {errors[farther]:.3g})"))))
    return [verdicts[ref.name] for ref in references]

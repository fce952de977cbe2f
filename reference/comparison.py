"""`Verdict`: the outcome of comparing a kernel's output with one reference."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"
COMPILED = "compiled"  # built for a target with no device here: compiled, not run
KNOWN = "known"  # a failure explained by a recorded finding (findings/table.py)
MAX_LISTED_POSITIONS = 10


@dataclass
class Verdict:
    """One kernel output against one reference.

    `normalized_error` is max |actual - expected| / bound: <= 1 passes, larger fails.
    """

    reference: str
    status: str
    message: str = ""
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    normalized_error: float = 0.0
    wrong_count: int = 0
    total_count: int = 0
    wrong_positions: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failed(self) -> bool:
        """A failure to report: a wrong output, or an error building or running the kernel."""
        return self.status in (FAIL, ERROR)

    def to_dict(self) -> dict:
        return asdict(self)


def compare(reference: str, actual: np.ndarray, expected: np.ndarray, bound: np.ndarray) -> Verdict:
    """Element-wise check of `actual` against `expected` within the per-element `bound`."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return Verdict(reference, FAIL, f"shape {actual.shape} differs from expected {expected.shape}",
                       normalized_error=float("inf"))
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    diff = np.abs(a - e)
    diff[np.isnan(a) != np.isnan(e)] = np.inf
    diff[np.isnan(a) & np.isnan(e)] = 0.0
    wrong = diff > bound
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff == 0, 0.0, diff / np.abs(e))
        normalized = np.where(diff == 0, 0.0, diff / bound)
    positions = [tuple(int(i) for i in p) for p in np.argwhere(wrong)[:MAX_LISTED_POSITIONS]]
    count = int(wrong.sum())
    verdict = Verdict(
        reference, FAIL if count else PASS,
        max_abs_error=float(diff.max(initial=0.0)),
        max_rel_error=float(rel.max(initial=0.0)),
        normalized_error=float(normalized.max(initial=0.0)),
        wrong_count=count, total_count=int(diff.size), wrong_positions=positions,
    )
    if count:
        verdict.message = (f"{count}/{diff.size} elements outside the error bound; "
                           f"max abs {verdict.max_abs_error:.3g}, max rel {verdict.max_rel_error:.3g}, "
                           f"{verdict.normalized_error:.3g}x the bound; first at {positions[0]}")
    return verdict


def closer_to_float64(actual, expected, oracle) -> str:
    """Which of the two disagreeing float computations lies nearer the float64 oracle."""
    tvm_error = float(np.max(np.abs(actual - oracle), initial=0.0))
    ref_error = float(np.max(np.abs(expected - oracle), initial=0.0))
    side = "TVM" if tvm_error < ref_error else "the reference" if ref_error < tvm_error else "neither"
    return f"closer to float64: {side} (TVM {tvm_error:.3g}, reference {ref_error:.3g})"

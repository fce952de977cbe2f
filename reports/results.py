"""What a run found: verdict counts per kernel x target x reference, and the failures."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from model.row import row_id
from reference.comparison import COMPILED, ERROR, FAIL, KNOWN, PASS, SKIP


@dataclass
class FailureRecord:
    """One shrunk failure, as written under the report directory."""

    kernel: str
    target: str
    case_summary: str
    message: str
    verdicts: list  # Verdict.to_dict() for each reference
    directory: str  # relative to the report directory
    repro: str      # the repro script's text
    bug_report: str  # markdown
    case: dict = field(default_factory=dict)  # DepthwiseCase.to_dict() of the case written up
    nondeterministic: bool = False  # failed, then passed when replayed
    pinned: str | None = None  # the pinned example this case is (not shrunk: no generated example failed)
    also_fails_on: list = field(default_factory=list)  # pinned examples that fail too

    @property
    def found_as(self) -> str:
        """How the case was found: shrunk by Hypothesis, or a pinned example as it stands."""
        return f"pinned example {self.pinned} (not shrunk)" if self.pinned else "shrunk case"


@dataclass
class RowResult:
    """Counts for one kernel x target row; `skip_reason` when the row could not run."""

    kernel: str
    target: str
    skip_reason: str | None = None
    examples: int = 0
    seconds: float = 0.0  # wall time spent checking examples (build, run, references)
    counts: dict = field(default_factory=dict)  # reference -> {status: count}
    reasons: dict = field(default_factory=dict)  # reference -> last skip/error reason
    # sha256 chained over every output the kernel produced, in order: two rows that ran the
    # same examples computed bit-identical outputs exactly when their fingerprints agree.
    fingerprint: str = ""
    first_failure: int = 0  # the number of the first example that failed (0: none did)

    @property
    def id(self) -> str:
        return row_id(self.kernel, self.target)


@dataclass
class RunResults:
    """Everything the HTML report renders; mergeable across pytest-xdist workers."""

    rows: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    references: list = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    known_matches: dict = field(default_factory=dict)  # KnownFailure.key -> examples it explained

    def row(self, kernel: str, target: str) -> RowResult:
        key = row_id(kernel, target)
        if key not in self.rows:
            self.rows[key] = RowResult(kernel, target)
        return self.rows[key]

    def record_skip(self, kernel: str, target: str, reason: str) -> None:
        self.row(kernel, target).skip_reason = reason

    def record_verdicts(self, kernel: str, target: str, verdicts, seconds: float = 0.0, output=None) -> None:
        row = self.row(kernel, target)
        if output is not None:
            chained = hashlib.sha256(row.fingerprint.encode())
            chained.update(np.ascontiguousarray(output).tobytes())
            row.fingerprint = chained.hexdigest()
        row.examples += 1
        row.seconds += seconds
        if not row.first_failure and any(v.failed for v in verdicts):
            row.first_failure = row.examples
        for v in verdicts:
            counts = row.counts.setdefault(v.reference, {})
            counts[v.status] = counts.get(v.status, 0) + 1
            if v.status in (SKIP, ERROR, COMPILED, KNOWN) and v.message:
                row.reasons[v.reference] = v.message

    def record_known(self, key: str) -> None:
        self.known_matches[key] = self.known_matches.get(key, 0) + 1

    def record_failure(self, failure: FailureRecord) -> None:
        self.failures.append(failure)

    # ---- summaries -----------------------------------------------------------------
    @staticmethod
    def cell_status(counts: dict) -> str:
        """The worst outcome in a cell: error > fail > known > pass > compiled > skip."""
        for status in (ERROR, FAIL, KNOWN, PASS, COMPILED, SKIP):
            if counts.get(status):
                return status
        return SKIP

    def totals(self) -> Counter:
        total = Counter()
        for row in self.rows.values():
            for counts in row.counts.values():
                total.update(counts)
        return total

    # ---- persistence (xdist workers write, the controller merges) -----------------------
    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "RunResults":
        raw = json.loads(text)
        results = cls(references=raw["references"], environment=raw["environment"],
                      known_matches=raw.get("known_matches", {}))
        results.rows = {k: RowResult(**v) for k, v in raw["rows"].items()}
        results.failures = [FailureRecord(**f) for f in raw["failures"]]
        return results

    def merge(self, other: "RunResults") -> None:
        for key, theirs in other.rows.items():
            mine = self.row(theirs.kernel, theirs.target)
            mine.skip_reason = mine.skip_reason or theirs.skip_reason
            mine.examples += theirs.examples
            mine.seconds += theirs.seconds
            for ref, counts in theirs.counts.items():
                into = mine.counts.setdefault(ref, {})
                for status, n in counts.items():
                    into[status] = into.get(status, 0) + n
            mine.reasons.update(theirs.reasons)
            mine.fingerprint = mine.fingerprint or theirs.fingerprint
            mine.first_failure = mine.first_failure or theirs.first_failure
        self.failures.extend(other.failures)
        for key, n in other.known_matches.items():
            self.known_matches[key] = self.known_matches.get(key, 0) + n
        self.references = self.references or other.references
        self.environment = self.environment or other.environment

    @classmethod
    def load_parts(cls, directory: Path) -> "RunResults":
        merged = cls()
        for part in sorted(directory.glob("*.json")):
            merged.merge(cls.from_json(part.read_text()))
        return merged

"""What a run found: verdict counts per kernel x target x reference, and the failures."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from model.coverage import PAIRS
from model.failure import REFUSAL, VALUES, Failure
from model.row import row_id
from reference.comparison import COMPILED, ERROR, FAIL, KNOWN, PASS, SKIP


def add(counts: dict, key: str, n: int = 1) -> None:
    counts[key] = counts.get(key, 0) + n


def add_all(into: dict, other: dict) -> None:
    """Add counts keyed two deep (name -> key -> count) into `into`."""
    for name, counts in other.items():
        for key, n in counts.items():
            add(into.setdefault(name, {}), key, n)


@dataclass
class RowResult:
    """Counts for one kernel x target row; `skip_reason` when the row could not run."""

    kernel: str
    target: str
    skip_reason: str | None = None
    examples: int = 0
    seconds: float = 0.0  # wall time spent checking examples (build, run, references)
    # wall time of the whole row (pinned examples, Hypothesis' drawing, engine and shrinking,
    # the checks): what is not `seconds` is Hypothesis' own share
    row_seconds: float = 0.0
    counts: dict = field(default_factory=dict)  # reference -> {status: count}
    reasons: dict = field(default_factory=dict)  # reference -> last skip/error reason
    # sha256 chained over every output the kernel produced, in order: two rows that ran the
    # same examples computed bit-identical outputs exactly when their fingerprints agree.
    fingerprint: str = ""
    first_failure: int = 0  # the number of the first example that failed (0: none did)
    # Coverage (model/coverage.py): field -> class -> examples, pairs "a x b" -> "va x vb" ->
    # examples, and field -> the classes a case of this row can fall into.
    coverage: dict = field(default_factory=dict)
    pairs: dict = field(default_factory=dict)
    possible: dict = field(default_factory=dict)

    @property
    def never_exercised(self) -> list[str]:
        """"field: class" for each class this row could have drawn and never checked."""
        return [f"{name}: {cls}" for name, classes in self.possible.items() for cls in classes
                if not self.coverage.get(name, {}).get(cls)]

    @property
    def id(self) -> str:
        return row_id(self.kernel, self.target)

    @property
    def status_counts(self) -> dict:
        """status -> examples x references, over every reference."""
        merged = {}
        for counts in self.counts.values():
            for status, n in counts.items():
                add(merged, status, n)
        return merged


@dataclass
class RunResults:
    """Everything the HTML report renders; mergeable across pytest-xdist workers."""

    rows: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # model.failure.Failure, refusals among them
    references: list = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    known_matches: dict = field(default_factory=dict)  # KnownFailure.key -> examples it explained
    # Inputs that must be refused: "{path}-{target}" -> {"counts": outcome -> inputs, "skip_reason"}
    refusal_rows: dict = field(default_factory=dict)
    # The findings' tests (conformance/test_findings.py): node id -> outcome (xfailed: the finding
    # still holds; fixed: its strict xfail passed; passed, failed, skipped)
    findings: dict = field(default_factory=dict)

    def row(self, kernel: str, target: str) -> RowResult:
        key = row_id(kernel, target)
        if key not in self.rows:
            self.rows[key] = RowResult(kernel, target)
        return self.rows[key]

    def record_skip(self, kernel: str, target: str, reason: str) -> None:
        self.row(kernel, target).skip_reason = reason

    def expect_classes(self, kernel: str, target: str, possible: dict) -> None:
        """The classes a case of this row can fall into (model.coverage.possible_classes)."""
        self.row(kernel, target).possible = {name: list(classes) for name, classes in possible.items()}

    def record_row_time(self, kernel: str, target: str, seconds: float) -> None:
        """The wall time of a row's whole run (see RowResult.row_seconds)."""
        self.row(kernel, target).row_seconds += seconds

    def record_verdicts(self, kernel: str, target: str, verdicts, seconds: float = 0.0, output=None,
                        classes: dict | None = None) -> None:
        """Count one checked example: its verdicts, its time, its output's fingerprint and the
        classes its case falls into (model.coverage.case_classes)."""
        row = self.row(kernel, target)
        if classes:
            for name, cls in classes.items():
                add(row.coverage.setdefault(name, {}), cls)
            for a, b in PAIRS:
                if a in classes and b in classes:
                    add(row.pairs.setdefault(f"{a} x {b}", {}), f"{classes[a]} x {classes[b]}")
        if output is not None:
            chained = hashlib.sha256(row.fingerprint.encode())
            chained.update(np.ascontiguousarray(output).tobytes())
            row.fingerprint = chained.hexdigest()
        row.examples += 1
        row.seconds += seconds
        if not row.first_failure and any(v.failed for v in verdicts):
            row.first_failure = row.examples
        for v in verdicts:
            add(row.counts.setdefault(v.reference, {}), v.status)
            if v.status in (SKIP, ERROR, COMPILED, KNOWN) and v.message:
                row.reasons[v.reference] = v.message

    def record_refusal(self, path: str, target: str, outcome: str, skip_reason: str | None = None) -> None:
        """Count one invalid input tried on a path: refused, accepted, crash, timeout, known; or
        the reason the row was skipped."""
        row = self.refusal_rows.setdefault(row_id(path, target), {"path": path, "target": target, "counts": {},
                                                                 "skip_reason": None})
        if skip_reason:
            row["skip_reason"] = skip_reason
        else:
            add(row["counts"], outcome)

    def record_known(self, key: str) -> None:
        add(self.known_matches, key)

    def record_failure(self, failure: Failure) -> None:
        self.failures.append(failure)

    @property
    def refusal_failures(self) -> list:
        """The invalid inputs a path did not refuse."""
        return [f for f in self.failures if f.kind == REFUSAL]

    @property
    def check_failures(self) -> list:
        """Every other failure: a row's example that failed a check, or gave no output."""
        return [f for f in self.failures if f.kind != REFUSAL]

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
            total.update(row.status_counts)
        return total

    # ---- persistence (xdist workers write, the controller merges) -----------------------
    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["rows"] = {key: asdict(row) for key, row in self.rows.items()}
        data["failures"] = [f.to_dict() for f in self.failures]
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "RunResults":
        raw = json.loads(text)
        results = cls(references=raw["references"], environment=raw["environment"],
                      known_matches=raw.get("known_matches", {}), findings=raw.get("findings", {}))
        results.rows = {k: RowResult(**v) for k, v in raw["rows"].items()}
        results.failures = [Failure.from_dict({"kind": VALUES, **f}) for f in raw["failures"]]
        results.failures += [older_refusal(f) for f in raw.get("refusal_failures", [])]
        results.refusal_rows = raw.get("refusal_rows", {})
        return results

    def merge(self, other: "RunResults") -> None:
        for key, theirs in other.rows.items():
            mine = self.row(theirs.kernel, theirs.target)
            mine.skip_reason = mine.skip_reason or theirs.skip_reason
            mine.examples += theirs.examples
            mine.seconds += theirs.seconds
            mine.row_seconds += theirs.row_seconds
            add_all(mine.counts, theirs.counts)
            mine.reasons.update(theirs.reasons)
            mine.fingerprint = mine.fingerprint or theirs.fingerprint
            mine.first_failure = mine.first_failure or theirs.first_failure
            mine.possible = mine.possible or theirs.possible
            add_all(mine.coverage, theirs.coverage)
            add_all(mine.pairs, theirs.pairs)
        self.failures.extend(other.failures)
        for key, theirs in other.refusal_rows.items():
            mine = self.refusal_rows.setdefault(key, {**theirs, "counts": {}})
            mine["skip_reason"] = mine["skip_reason"] or theirs["skip_reason"]
            for outcome, n in theirs["counts"].items():
                add(mine["counts"], outcome, n)
        for key, n in other.known_matches.items():
            add(self.known_matches, key, n)
        self.findings.update(other.findings)
        self.references = self.references or other.references
        self.environment = self.environment or other.environment

    @classmethod
    def load_parts(cls, directory: Path) -> "RunResults":
        merged = cls()
        for part in sorted(directory.glob("*.json")):
            merged.merge(cls.from_json(part.read_text()))
        return merged


def older_refusal(raw: dict) -> Failure:
    """A refusal failure as results.json kept it before failures had one record (a baseline's)."""
    return Failure(REFUSAL, f"refuse:{raw['path']}", raw["target"], raw["input"], f"{raw['outcome']}: {raw['message']}",
                   defect=raw["defect"], torch=raw["torch"], directory=raw.get("directory", ""),
                   repro=raw.get("repro", ""))

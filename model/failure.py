"""One record for every failure a run writes up, whatever failed.

Conformance makes a `Failure` when a row's minimal example fails (wrong values, a wrong shape,
an error or a crash with no output) or an invalid input is not refused, and hands it to the
write-up listener (`reports/failures.py` `FailureWriter`), which writes its folder (repro,
bug report, picture), fills in where they went, and records it in the run's results: the same
record is what results.json keeps and the HTML report shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

# What failed: a check's bound (values), the output's shape, an error (build or call raised),
# a crash (the worker died or hung), or an invalid input that was accepted (refusal).
VALUES, SHAPE, ERROR, CRASH, REFUSAL = "values", "shape", "error", "crash", "refusal"
KINDS = (VALUES, SHAPE, ERROR, CRASH, REFUSAL)


@dataclass
class Evidence:
    """What a write-up renders beyond the record (never serialized): the row's kernel (or the
    refusal path) and target, the example (or the invalid input), and what the kernel gave."""

    kernel: object
    target: object
    example: object  # model.example.ConvExample, or model.invalid.InvalidConv for a refusal
    verdicts: list = field(default_factory=list)  # reference.comparison.Verdict, one per check
    actual: object = None  # the kernel's output, where it gave one
    oracle: object = None  # the float64 result it should be near
    bound: object = None  # how near: the error model's bound per element
    layout: str | None = None  # the output's layout (reports/pictures.py)
    error: str | None = None  # why the kernel gave no output
    script: str | None = None  # the TVMScript the kernel was built from (None: nothing to rebuild)


@dataclass
class Failure:
    """One failing example of a row, as written up."""

    kind: str  # one of KINDS
    kernel: str  # the row's kernel; a refusal row's "refuse:<path>"
    target: str
    case_summary: str  # the case (or invalid input) as a Python expression
    message: str
    verdicts: list = field(default_factory=list)  # Verdict.to_dict() for each check
    case: dict = field(default_factory=dict)  # DepthwiseCase.to_dict() (InvalidConv.to_dict())
    nondeterministic: bool = False  # failed, then passed when replayed
    pinned: str | None = None  # the pinned example this case is (not shrunk: no generated example failed)
    also_fails_on: list = field(default_factory=list)  # pinned examples that fail too
    defect: str | None = None  # a refusal's defect (model/invalid.py DEFECTS)
    torch: str | None = None  # a refusal: what torch does with the same input
    # Filled in by the write-up:
    directory: str = ""  # relative to the report directory
    repro: str = ""  # the repro script's text
    bug_report: str = ""  # markdown
    picture: str | None = None  # the error heatmap (PNG), relative to the report directory
    replay: str = ""  # the command that replays the row through dwconf
    evidence: Evidence | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"failure kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def found_as(self) -> str:
        """How the case was found: shrunk by Hypothesis, or a pinned example as it stands."""
        return f"pinned example {self.pinned} (not shrunk)" if self.pinned else "shrunk case"

    def to_dict(self) -> dict:
        """The record as results.json keeps it (no evidence)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "evidence"}

    @classmethod
    def from_dict(cls, raw: dict) -> "Failure":
        return cls(**raw)

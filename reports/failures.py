"""A failing example of a row (`Failure`) and writing it to disk: case, repro, arrays, bug report."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import settings

from model.row import row_id
from reports.bug_report import bug_report_markdown
from reports.environment import environment
from reports.pictures import error_heatmap
from reports.regression import regression_test, replay_command
from reports.results import FailureRecord


@dataclass
class Failure:
    """One failing example of a kernel on a target: what its write-up renders."""

    kernel: object
    target: object
    example: object  # model.example.ConvExample
    verdicts: list  # reference.comparison.Verdict, one per reference
    actual: np.ndarray | None = None  # the kernel's output, where it gave one
    oracle: np.ndarray | None = None  # the float64 result it should be near
    bound: np.ndarray | None = None  # how near: the error model's bound per element
    layout: str | None = None  # the output's layout (reports/pictures.py: any output layout, or HWOI)
    error: str | None = None  # why the kernel gave no output (compile, run, shape, crash)
    repro: tuple | None = None  # (script text, arrays to save beside it); None: no module to rebuild
    nondeterministic: bool = False  # failed, then passed when replayed
    pinned: str | None = None  # the pinned example this is (not shrunk: no generated example failed)
    also_fails_on: tuple = ()  # pinned examples that fail too

    @property
    def failing(self) -> list:
        return [v for v in self.verdicts if v.failed]


def unused_directory(parent: Path, stem: str) -> Path:
    """parent/stem-1, -2, ...: the first that does not exist yet, created (xdist-safe)."""
    parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        try:
            path = parent / f"{stem}-{n}"
            path.mkdir()
            return path
        except FileExistsError:
            n += 1


def write_failure(report_dir: Path, failure: Failure) -> FailureRecord:
    """Write the failure's files under report_dir/failures/<kernel>-<target>-<n>/ and describe them."""
    kernel, target, ex = failure.kernel, failure.target, failure.example
    out = unused_directory(Path(report_dir) / "failures", row_id(kernel.name, target.name))
    repro, side_files = failure.repro or (
        "# no repro script: the kernel's own compute or schedule raised (see the error)\n", {})
    (out / "repro.py").write_text(repro)
    if failure.repro:
        compile_only = failure.actual is None and (failure.error or "").startswith("compile")
        (out / "test_regression.py").write_text(regression_test(repro, kernel, target, ex.case, compile_only))
    if side_files:
        np.savez(out / "data.npz", **side_files)
    (out / "case.json").write_text(json.dumps({**ex.case.to_dict(), "options": dict(ex.options)}, indent=1))
    picture = None
    if failure.actual is not None and failure.oracle is not None:
        picture = error_heatmap(failure.actual, failure.oracle, failure.bound, failure.layout,
                                out / "error_heatmap.png", f"{kernel.name} on {target.name}")
    replay = replay_command(kernel, target, settings.get_current_profile_name())
    report = bug_report_markdown(failure, repro, environment(), picture is not None, replay,
                                 regression_test=failure.repro is not None)
    (out / "bug_report.md").write_text(report)
    message = failure.error or "; ".join(f"{v.reference}: {v.message}" for v in failure.failing)
    if failure.nondeterministic:
        message = f"nondeterministic (failed, then passed when replayed): {message}"
    summary = ex.case.summary() + (f"  # options {dict(ex.options)}" if ex.options else "")
    return FailureRecord(kernel.name, target.name, summary, message, [v.to_dict() for v in failure.verdicts],
                         str(out.relative_to(report_dir)), repro, report, ex.case.to_dict(),
                         failure.nondeterministic, failure.pinned, list(failure.also_fails_on),
                         str(picture.relative_to(report_dir)) if picture else None, replay)

"""Writing one shrunk failure to disk: case, repro script, arrays, bug report."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from reports.bug_report import bug_report_markdown
from reports.environment import environment
from reports.results import FailureRecord


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


def write_failure(report_dir: Path, kernel, target, ex, repro: tuple | None, verdicts, actual=None,
                  expected=None, error: str | None = None, nondeterministic: bool = False,
                  pinned: str | None = None, also_fails_on: tuple = ()) -> FailureRecord:
    """Write the failure's files under report_dir/failures/<kernel>-<target>-<n>/ and describe them.

    `repro` is (script text, arrays to save beside it) from reports/repro.py; None when there is
    no module to rebuild (the kernel's own compute or schedule raised)."""
    out = unused_directory(Path(report_dir) / "failures", f"{kernel.name}-{target.name}")
    directory = out.relative_to(report_dir)
    case = ex.case
    repro, side_files = repro or (
        "# no repro script: the kernel's own compute or schedule raised (see the error)\n", {})
    (out / "repro.py").write_text(repro)
    if side_files:
        np.savez(out / "data.npz", **side_files)
    (out / "case.json").write_text(json.dumps({**case.to_dict(), "options": dict(ex.options)}, indent=1))
    report = bug_report_markdown(kernel, target, ex, verdicts, actual, expected, repro, environment(), error,
                                 nondeterministic, pinned, also_fails_on)
    (out / "bug_report.md").write_text(report)
    failing = [v for v in verdicts if v.status in ("fail", "error")]
    message = error or "; ".join(f"{v.reference}: {v.message}" for v in failing)
    if nondeterministic:
        message = f"nondeterministic (failed, then passed when replayed): {message}"
    summary = case.summary() + (f"  # options {dict(ex.options)}" if ex.options else "")
    return FailureRecord(kernel.name, target.name, summary, message, [v.to_dict() for v in verdicts],
                         str(directory), repro, report, nondeterministic, pinned, list(also_fails_on))

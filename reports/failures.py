"""Writing a failure up (model/failure.py's record) to disk: case, repro, arrays, bug report."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import settings

from model.failure import REFUSAL, Evidence, Failure
from model.row import row_id
from reference.gradients import gradient_length
from reports.bug_report import bug_report_markdown
from reports.environment import environment
from reports.pictures import error_heatmap
from reports.refusals import write_refusal_failure
from reports.regression import regression_test, replay_command
from reports.repro import backward_repro_script, repro_script


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


def repro_of(evidence: Evidence) -> tuple | None:
    """(script text, arrays to save beside it) of a failing example; None without a module to rebuild."""
    kernel, target, ex = evidence.kernel, evidence.target, evidence.example
    if evidence.script is None:
        return None
    if kernel.gradient is None:
        return repro_script(kernel, target, ex, evidence.script)
    arrays = {"data": ex.data, "weight": ex.weight, "grad_out": ex.grad_out}
    return backward_repro_script(kernel, kernel.gradient, gradient_length(ex.case, kernel.gradient), target,
                                 ex.case, arrays, evidence.script)


def write_failure(report_dir: Path, failure: Failure) -> Failure:
    """Write the failure's files under report_dir/failures/ and fill in where they went: a row's
    example under <kernel>-<target>-<n>/ (repro, regression test, arrays, case, heatmap, bug
    report), an invalid input not refused under refuse-<path>-<target>-<defect>/."""
    if failure.kind == REFUSAL:
        return write_refusal_failure(report_dir, failure)
    evidence = failure.evidence
    kernel, target, ex = evidence.kernel, evidence.target, evidence.example
    out = unused_directory(Path(report_dir) / "failures", row_id(kernel.name, target.name))
    repro = repro_of(evidence)
    script, side_files = repro or ("# no repro script: the kernel's own compute or schedule raised (see the error)\n", {})
    (out / "repro.py").write_text(script)
    if repro:
        compile_only = evidence.actual is None and (evidence.error or "").startswith("compile")
        (out / "test_regression.py").write_text(regression_test(script, kernel, target, ex.case, compile_only))
    if side_files:
        np.savez(out / "data.npz", **side_files)
    (out / "case.json").write_text(json.dumps({**ex.case.to_dict(), "options": dict(ex.options)}, indent=1))
    picture = None
    if evidence.actual is not None and evidence.oracle is not None:
        picture = error_heatmap(evidence.actual, evidence.oracle, evidence.bound, evidence.layout,
                                out / "error_heatmap.png", f"{kernel.name} on {target.name}")
    failure.replay = replay_command(kernel, target, settings.get_current_profile_name())
    failure.bug_report = bug_report_markdown(failure, script, environment(), picture is not None, failure.replay,
                                             regression_test=repro is not None)
    (out / "bug_report.md").write_text(failure.bug_report)
    failure.directory, failure.repro = str(out.relative_to(report_dir)), script
    failure.picture = str(picture.relative_to(report_dir)) if picture else None
    return failure


class FailureWriter:
    """The write-up listener conformance hands each Failure to: writes it under `report_dir`
    and records it in the run's `results` (the reports plugin's fixture `write_up` is one)."""

    def __init__(self, report_dir: Path, results):
        self.report_dir, self.results = Path(report_dir), results

    def __call__(self, failure: Failure) -> None:
        self.results.record_failure(write_failure(self.report_dir, failure))

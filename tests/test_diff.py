"""reports.diff: what changed between two runs, and a release gate that closes on a new failure."""
import json
import subprocess
import sys
from pathlib import Path

from reference.comparison import Verdict
from reports.diff import markdown, regressed, run_diff
from model.failure import VALUES, Failure
from reports.results import RunResults

ROOT = Path(__file__).resolve().parents[1]


def results(fail=False, fixed=False, coverage="stride: 1", extra_row=False) -> RunResults:
    run = RunResults(references=["numpy"])
    name, cls = coverage.split(": ")
    run.record_verdicts("seed_te", "llvm", [Verdict("numpy", "fail" if fail else "pass")], 0.5, classes={name: cls})
    run.record_verdicts("topi_nchw", "c", [Verdict("numpy", "pass")], 0.25)
    if extra_row:
        run.record_verdicts("relax_block", "llvm", [Verdict("numpy", "pass")], 1.0)
    if fail:
        run.record_failure(Failure(VALUES, "seed_te", "llvm", "DepthwiseCase(pad_top=1)", "wrong", directory="failures/x"))
    run.findings["conformance/test_findings.py::test_x"] = "fixed" if fixed else "xfailed"
    return run


def test_a_new_failure_closes_the_gate_and_a_fixed_finding_is_named():
    diff = run_diff(results(), results(fail=True, fixed=True, coverage="stride: 2", extra_row=True))
    assert diff["new_failing_rows"] == ["seed_te-llvm"] and regressed(diff)
    assert diff["new_failures"] == ["seed_te-llvm: DepthwiseCase(pad_top=1)"]
    assert diff["fixed_findings"] == ["conformance/test_findings.py::test_x"]
    assert diff["rows_appeared"] == ["relax_block-llvm"] and diff["rows_vanished"] == []
    assert diff["coverage_lost"] == {"seed_te-llvm": ["stride: 1"]}
    assert diff["coverage_gained"] == {"seed_te-llvm": ["stride: 2"]}
    assert diff["rates"]["topi_nchw-c"] == (4.0, 4.0)
    text = markdown(diff)
    assert "## new failing rows (1)" in text and "verdict: NEW FAILURES" in text


def test_the_same_run_twice_changes_nothing_and_the_command_exits_0(tmp_path):
    for name, run in (("old", results(fail=True)), ("new", results(fail=True))):
        (tmp_path / f"{name}.json").write_text(run.to_json())
    diff = run_diff(*(RunResults.from_json((tmp_path / f"{n}.json").read_text()) for n in ("old", "new")))
    assert not regressed(diff) and diff["rows_appeared"] == diff["rows_vanished"] == []
    cli = subprocess.run([sys.executable, "-m", "reports.diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")],
                         cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 0 and "verdict: no new failure" in cli.stdout
    (tmp_path / "new.json").write_text(json.dumps({**json.loads(results(fail=True).to_json()),
                                                   "failures": []}))
    worse = subprocess.run([sys.executable, "-m", "reports.diff", str(tmp_path / "new.json"), str(tmp_path / "old.json")],
                           cwd=ROOT, capture_output=True, text=True)
    assert worse.returncode == 1 and "seed_te-llvm: DepthwiseCase(pad_top=1)" in worse.stdout


def test_a_strict_xfail_that_passes_is_recorded_as_a_fixed_finding():
    from types import SimpleNamespace

    from reports.plugin import finding_outcome

    holds = SimpleNamespace(when="call", wasxfail="findings/x.md", skipped=True, failed=False, outcome="skipped")
    fixed = SimpleNamespace(when="call", skipped=False, failed=True, outcome="failed",
                            longreprtext="[XPASS(strict)] findings/x.md")
    broken = SimpleNamespace(when="call", skipped=False, failed=True, outcome="failed", longreprtext="BrokenRepro: ...")
    assert [finding_outcome(r) for r in (holds, fixed, broken)] == ["xfailed", "fixed", "failed"]
    assert finding_outcome(SimpleNamespace(when="setup", outcome="passed")) is None
    assert finding_outcome(SimpleNamespace(when="setup", outcome="skipped")) == "skipped"

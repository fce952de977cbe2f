"""dwconf's pytest plugin for the report: where it goes, the run's results and the write-up
listener the conformance tests record into (fixtures `run_results` and `write_up`), merging the
xdist workers' results, writing the HTML report and results.json at the end, and the matrix in
the terminal summary."""
from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from conformance.plugin import SELECTION, existing_file

DEFAULT_REPORT_DIR = "conformance-report"
RESULTS = pytest.StashKey["RunResults"]()  # the run's reports.results.RunResults
REPORT_PATH = pytest.StashKey[Path]()  # index.html, once written


def pytest_addoption(parser):
    parser.getgroup("dwconf").addoption(
        "--report-dir", default=os.environ.get("DWCONF_REPORT_DIR", DEFAULT_REPORT_DIR),
        help=f"where the HTML report and failure files go (default: {DEFAULT_REPORT_DIR}). Env: DWCONF_REPORT_DIR")
    parser.getgroup("dwconf").addoption(
        "--diff-against", default=None, type=existing_file,
        help="an earlier run's results.json: the report gets a section of what changed since "
             "(new failures, fixed findings, rows and coverage; python -m reports.diff prints the same)")


def finding_outcome(report) -> str | None:
    """What one phase's report says of a finding's test: xfailed (the finding holds), fixed (its
    strict xfail passed), passed, failed or skipped; None for a phase that says nothing."""
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            return "xfailed" if report.skipped else "fixed"
        if report.failed and "XPASS(strict)" in report.longreprtext:
            return "fixed"
        return report.outcome
    return report.outcome if report.outcome != "passed" else None  # a skip or error in setup


class FindingOutcomes:
    """Records each finding test's outcome in the run's results (in the controller, which sees
    every worker's reports)."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        results = self.config.stash.get(RESULTS, None)
        outcome = finding_outcome(report) if "finding" in report.keywords else None
        if results is not None and outcome is not None:
            results.findings[report.nodeid] = outcome


@pytest.hookimpl(trylast=True)  # after the matrix plugin has made its selection
def pytest_configure(config):
    from reports.environment import environment
    from reports.results import RunResults

    selection = config.stash.get(SELECTION, None)
    if selection is not None:
        config.stash[RESULTS] = RunResults(references=[r.name for r in selection.references],
                                           environment={**environment(), **selection.notes})
    if not hasattr(config, "workerinput"):  # the controller (or a plain run) starts clean
        for stale in ("parts", "failures"):
            shutil.rmtree(report_dir(config) / stale, ignore_errors=True)
        config.pluginmanager.register(FindingOutcomes(config), "dwconf-finding-outcomes")


def report_dir(config) -> Path:
    return Path(config.getoption("report_dir"))


@pytest.fixture(scope="session")
def run_results(request):
    """The run's results (reports/results.py RunResults): the conformance tests record into it."""
    return request.config.stash[RESULTS]


@pytest.fixture(name="report_dir", scope="session")
def report_dir_fixture(request) -> Path:
    return report_dir(request.config)


@pytest.fixture(scope="session")
def write_up(request):
    """The listener a conformance test hands each failure to: written under the report
    directory and recorded in the run's results (reports/failures.py FailureWriter)."""
    from reports.failures import FailureWriter

    return FailureWriter(report_dir(request.config), request.config.stash[RESULTS])


def pytest_sessionfinish(session):
    from reports.html import write_html_report
    from reports.results import RunResults

    config = session.config
    results = config.stash.get(RESULTS, None)
    if results is None:
        return
    folder = report_dir(config)
    parts = folder / "parts"
    if hasattr(config, "workerinput"):
        if results.rows or results.refusal_rows:
            parts.mkdir(parents=True, exist_ok=True)
            (parts / f"{config.workerinput['workerid']}.json").write_text(results.to_json())
        return
    if parts.is_dir():
        results.merge(RunResults.load_parts(parts))
        shutil.rmtree(parts, ignore_errors=True)  # merged: the report folder keeps the report only
    if results.rows or results.refusal_rows:  # only runs that exercised the matrix write a report
        config.stash[REPORT_PATH] = write_html_report(results, folder, baseline=config.getoption("diff_against"))
        (folder / "results.json").write_text(results.to_json())  # the same, for machines
        for known in stale_known_failures(results):
            warnings.warn(pytest.PytestWarning(
                f"known failure of {', '.join(known.measured_on)} on {known.targets_text} "
                f"({known.finding.path}, /{known.pattern}/) explained no example of this run: fixed upstream? "
                "then remove it from findings/table.py"))


def stale_known_failures(results) -> list:
    """Known failures whose rows ran examples in this run but that explained none of them
    (array-api-tests warns the same way about xfails that no longer fail)."""
    from findings.table import KNOWN_FAILURES

    ran = {(row.kernel, row.target) for row in results.rows.values() if row.examples}
    ran |= {(f"refuse:{row['path']}", row["target"]) for row in results.refusal_rows.values() if row["counts"]}
    return [known for known in KNOWN_FAILURES
            if not results.known_matches.get(known.key)
            and any(known.measured_row(kernel, target) for kernel, target in ran)]


def pytest_terminal_summary(terminalreporter, config):
    path = config.stash.get(REPORT_PATH, None)
    if path is None:
        return
    results = config.stash[RESULTS]
    tr = terminalreporter
    tr.section("dwconf matrix")
    for row in sorted(results.rows.values(), key=lambda r: (r.kernel, r.target)):
        if row.skip_reason:
            tr.write_line(f"{row.id}: skipped ({row.skip_reason})")
            continue
        cells = ", ".join(f"{ref} {results.cell_status(row.counts.get(ref, {}))}" for ref in results.references)
        rate = row.examples / row.seconds if row.seconds else 0.0
        outside = (f"; {100 * max(0.0, 1 - row.seconds / row.row_seconds):.0f} % of the row's {row.row_seconds:.0f} s "
                   f"outside the checks (Hypothesis drawing and its engine)" if row.row_seconds else "")
        tr.write_line(f"{row.id}: {row.examples} examples, {rate:.1f}/s; {cells}{outside}")
    pinned = sum(1 for f in results.failures if f.pinned)
    tr.write_line(f"{len(results.failures)} failure(s) ({len(results.failures) - pinned} shrunk, {pinned} pinned "
                  f"example(s) not shrunk); HTML report: {path}")

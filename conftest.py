"""dwconf's pytest set-up: Hypothesis profiles, the selection options, the derived
kernel x target matrix, and the HTML report written at the end of a conformance run."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Compilation makes single examples slow (~0.1 s on llvm), so no deadline anywhere.
_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=10, **_COMMON)
# ci: the same examples on every run (derandomize), so CI's outcome does not flicker.
settings.register_profile("ci", max_examples=60, derandomize=True, **_COMMON)
settings.register_profile("nightly", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("DWCONF_PROFILE", "dev"))

DEFAULT_REPORT_DIR = "conformance-report"
_SELECTION = pytest.StashKey[dict]()
_RESULTS = pytest.StashKey[object]()


def pytest_addoption(parser):
    from targets import rpc

    group = parser.getgroup("dwconf")
    group.addoption("--targets", default=os.environ.get("DWCONF_TARGETS"),
                    help="comma-separated TVM targets to run (default: all known; unavailable ones skip "
                         "with their reason). Env: DWCONF_TARGETS")
    group.addoption("--kernels", default=os.environ.get("DWCONF_KERNELS"),
                    help="comma-separated kernels to run (default: all registered). Env: DWCONF_KERNELS")
    group.addoption("--references", default=os.environ.get("DWCONF_REFERENCES"),
                    help="comma-separated references to compare with (default: numpy,torch,mxnet)")
    group.addoption("--kernel-module", action="append", default=[],
                    help="a Python file with your own kernel(s) to put through the matrix (repeatable); "
                         "see README, 'Bring your own kernel'")
    group.addoption("--no-isolation", action="store_true", default=False,
                    help="build and call kernels in the test process (faster; a crashing kernel "
                         "then ends the run)")
    group.addoption("--example-timeout", type=float, default=120.0,
                    help="seconds one example may take to build and run before it is a 'timeout' (default 120)")
    group.addoption("--rpc-tracker", default=os.environ.get(rpc.ENV_TRACKER),
                    help="HOST:PORT of a TVM RPC tracker: its devices join the matrix as rows "
                         "rpc-KEY (with --rpc-key). Env: DWCONF_RPC_TRACKER")
    group.addoption("--rpc-key", default=os.environ.get(rpc.ENV_KEYS),
                    help="comma-separated device keys at the tracker, each KEY[=TARGET[:attr=value...]], "
                         "e.g. pi4=llvm:mtriple=aarch64-linux-gnu,gpu0=cuda (default target llvm). "
                         "Env: DWCONF_RPC_KEYS")
    group.addoption("--rpc-timeout", type=float, default=None,
                    help="seconds to wait for the tracker to grant a device session (default 60). "
                         "Env: DWCONF_RPC_TIMEOUT")
    group.addoption("--findings", action="store_true", default=False,
                    help="run every finding's test (conformance/test_findings.py) whatever --kernels and "
                         "--targets select (default: those of the selected kernels and targets)")
    group.addoption("--report-dir", default=os.environ.get("DWCONF_REPORT_DIR", DEFAULT_REPORT_DIR),
                    help=f"where the HTML report and failure files go (default: {DEFAULT_REPORT_DIR})")


def _select_references(names):
    from kernels.registry import select_named
    from reference.registry import REFERENCES

    return select_named(REFERENCES, names, "reference")


def pytest_configure(config):
    config.addinivalue_line("markers", "finding(kernels, targets): a finding's test, run when the selection "
                                       "has one of its kernels and one of its targets (None: any), or --findings")
    config.addinivalue_line("markers", "unselected: a parametrization the selection left empty (deselected)")
    from kernels.registry import select_kernels
    from reports.environment import environment
    from reports.results import RunResults
    from targets.discovery import select_targets

    try:
        from kernels.registry import register_kernel
        from kernels.user_module import load_kernel_module

        for path in config.getoption("kernel_module"):
            for kernel in load_kernel_module(path):
                register_kernel(kernel)
        names = [n.strip() for n in (config.getoption("kernels") or "").split(",") if n.strip()]
        # The gradient tests are selected by name too, but are no registered kernel.
        forward = [n for n in names if n != BACKWARD]
        selection = {
            "targets": select_targets(config.getoption("targets")) + _remote_targets(config),
            "kernels": select_kernels(",".join(forward)) if forward or not names else (),
            "references": _select_references(config.getoption("references")),
            "backward": not names or BACKWARD in names,
        }
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    report_dir = Path(config.getoption("report_dir"))
    selection["report_dir"] = report_dir
    config.stash[_SELECTION] = selection
    run_environment = dict(environment())
    remote = [t for t in selection["targets"] if t.rpc]
    if remote:  # the report says which farm and which target each device was built for
        run_environment["rpc farm"] = f"tracker {config.getoption('rpc_tracker')}; " + "; ".join(
            f"{t.name}: {t.spec}" for t in remote)
    config.stash[_RESULTS] = RunResults(references=[r.name for r in selection["references"]],
                                        environment=run_environment)
    if not hasattr(config, "workerinput"):  # the controller (or a plain run) starts clean
        for stale in ("parts", "failures"):
            shutil.rmtree(report_dir / stale, ignore_errors=True)


BACKWARD = "topi_backward"  # the name --kernels selects the gradient tests by


def _remote_targets(config) -> tuple:
    """The RPC farm's devices, one target per key (none without --rpc-tracker/--rpc-key)."""
    from targets import rpc

    tracker, keys = config.getoption("rpc_tracker"), config.getoption("rpc_key")
    if not tracker and not keys:
        return ()
    if not (tracker and keys):
        raise rpc.RPCConfigError("--rpc-tracker HOST:PORT and --rpc-key KEY[,KEY...] go together "
                                 "(or DWCONF_RPC_TRACKER and DWCONF_RPC_KEYS)")
    if config.getoption("rpc_timeout") is not None:  # the isolation worker reads the environment
        os.environ[rpc.ENV_TIMEOUT] = str(config.getoption("rpc_timeout"))
    return rpc.remote_targets(tracker, keys)


def pytest_generate_tests(metafunc):
    selection = metafunc.config.stash[_SELECTION]
    if "backward_target" in metafunc.fixturenames:
        # The gradient tests run on this machine's targets only.
        targets = [t for t in selection["targets"] if not t.rpc] if selection["backward"] else []
        metafunc.parametrize("backward_target", _or_unselected(
            [pytest.param(t, id=f"{BACKWARD}-{t.name}") for t in targets]))
    if "row" not in metafunc.fixturenames:
        return
    # A remote device serves one session at a time: its rows share one xdist worker
    # (--dist loadgroup), which holds the session across them.
    rows = [pytest.param((k, t), id=f"{k.name}-{t.name}",
                         marks=[pytest.mark.xdist_group(t.name)] if t.rpc else [])
            for k in selection["kernels"] for t in selection["targets"]]
    metafunc.parametrize("row", _or_unselected(rows))


def _or_unselected(params: list) -> list:
    """`params`, or one placeholder that is deselected: pytest would print an empty parameter
    set as a skip, and a narrowed selection is no reason to skip anything."""
    return params or [pytest.param(None, id="unselected", marks=pytest.mark.unselected)]


def _selected(item, selection) -> bool:
    """Whether the selection takes this item: finding tests follow their kernels and targets."""
    if item.get_closest_marker("unselected"):
        return False
    finding = item.get_closest_marker("finding")
    if finding is None or item.config.getoption("findings"):
        return True
    kernels, targets = finding.kwargs.get("kernels"), finding.kwargs.get("targets")
    names = {k.name for k in selection["kernels"]}
    if selection["backward"]:
        names.add(BACKWARD)
    return ((kernels is None or bool(names & set(kernels)))
            and (targets is None or bool({t.name for t in selection["targets"]} & set(targets))))


def pytest_collection_modifyitems(config, items):
    selection = config.stash[_SELECTION]
    keep, drop = [], []
    for item in items:
        (keep if _selected(item, selection) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def run_results(request):
    return request.config.stash[_RESULTS]


@pytest.fixture(scope="session")
def kernel_runner(request):
    """Where kernels are built and called: a reused worker process (default) or this process."""
    from kernels.isolation import InProcessRunner, IsolatedRunner

    config = request.config
    runner = InProcessRunner() if config.getoption("no_isolation") else IsolatedRunner(
        config.getoption("example_timeout"))
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def selected_references(request):
    return request.config.stash[_SELECTION]["references"]


@pytest.fixture(scope="session")
def report_dir(request):
    return request.config.stash[_SELECTION]["report_dir"]


def pytest_sessionfinish(session):
    from reports.html import write_html_report
    from reports.results import RunResults

    config = session.config
    results = config.stash.get(_RESULTS, None)
    if results is None:
        return
    report_dir = config.stash[_SELECTION]["report_dir"]
    parts = report_dir / "parts"
    if hasattr(config, "workerinput"):
        if results.rows:
            parts.mkdir(parents=True, exist_ok=True)
            (parts / f"{config.workerinput['workerid']}.json").write_text(results.to_json())
        return
    if parts.is_dir():
        results.merge(RunResults.load_parts(parts))
        shutil.rmtree(parts, ignore_errors=True)  # merged: the report folder keeps the report only
    if results.rows:  # only runs that exercised the matrix write a report
        config.stash[_RESULTS] = results
        path = write_html_report(results, report_dir)
        (report_dir / "results.json").write_text(results.to_json())  # the same, for machines
        config._dwconf_report_path = path


def pytest_terminal_summary(terminalreporter, config):
    path = getattr(config, "_dwconf_report_path", None)
    if path is None:
        return
    results = config.stash[_RESULTS]
    tr = terminalreporter
    tr.section("dwconf matrix")
    for row in sorted(results.rows.values(), key=lambda r: (r.kernel, r.target)):
        if row.skip_reason:
            tr.write_line(f"{row.kernel}-{row.target}: skipped ({row.skip_reason})")
            continue
        cells = ", ".join(f"{ref} {results.cell_status(row.counts.get(ref, {}))}" for ref in results.references)
        rate = row.examples / row.seconds if row.seconds else 0.0
        tr.write_line(f"{row.kernel}-{row.target}: {row.examples} examples, {rate:.1f}/s; {cells}")
    pinned = sum(1 for f in results.failures if f.pinned)
    tr.write_line(f"{len(results.failures)} failure(s) ({len(results.failures) - pinned} shrunk, {pinned} pinned "
                  f"example(s) not shrunk); HTML report: {path}")

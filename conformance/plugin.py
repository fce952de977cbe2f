"""dwconf's pytest plugin for the matrix: the selection options, the typed `Selection`, the
kernel x target rows as parametrization, and the fixtures the conformance tests use (the
report's, `run_results` and the `write_up` listener, come from reports/plugin.py)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.shards import DEFAULT_COST, load_costs, parse_shard, split
from model.row import Row
from runner.isolation import DEFAULT_TIMEOUT

SELECTION = pytest.StashKey["Selection"]()


@dataclass(frozen=True)
class Selection:
    """What this run checks: kernels x targets against references."""

    kernels: tuple
    targets: tuple
    references: tuple
    shard: tuple | None = None  # (I, N): this run is the I-th of N shards (conformance/shards.py)
    notes: dict = field(default_factory=dict, hash=False)  # what the report's environment says of the selection

    @property
    def rows(self) -> list[Row]:
        return [Row(k, t) for k in self.kernels for t in self.targets]

    def takes_refusal_path(self, path) -> bool:
        """Invalid inputs go down the paths of the selected kernels (kernels/refusal_paths.py kernel_names)."""
        return any(k.name in path.kernel_names for k in self.kernels)

    def takes(self, kernels, targets) -> bool:
        """Whether one of `kernels` (names, None: any) and one of `targets` are selected."""
        return ((kernels is None or any(k.name in kernels for k in self.kernels))
                and (targets is None or any(t.name in targets for t in self.targets)))


def existing_file(text: str) -> Path:
    """An option's file (--shard-costs, --diff-against): one that exists (argparse names the
    option and the value otherwise)."""
    import argparse

    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    return Path(text)


def positive_seconds(text: str) -> float:
    """An option's seconds: a number > 0 (argparse names the option and the value otherwise)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


def pytest_addoption(parser):
    from targets import rpc

    group = parser.getgroup("dwconf")
    group.addoption("--targets", default=os.environ.get("DWCONF_TARGETS"),
                    help="comma-separated TVM targets to run (default: all known; unavailable ones skip "
                         "with their reason). Env: DWCONF_TARGETS")
    group.addoption("--kernels", default=os.environ.get("DWCONF_KERNELS"),
                    help="comma-separated kernels to run (default: all registered; topi_backward: both "
                         "gradient kernels). Env: DWCONF_KERNELS")
    group.addoption("--checks", "--references", dest="references",
                    default=os.environ.get("DWCONF_CHECKS", os.environ.get("DWCONF_REFERENCES")),
                    help="comma-separated check columns: references (numpy, torch, mxnet, onnxruntime; group "
                         "'frameworks'), "
                         "metamorphic relations (group 'relations', the family's adjoint, transposed_as_forward, "
                         "impulse and rank_lifting among them) and compilation differentials (group "
                         "'differentials'); default: all. --references is the same option. Env: DWCONF_CHECKS "
                         "(or DWCONF_REFERENCES)")
    group.addoption("--kernel-module", action="append", default=[],
                    help="a Python file with your own kernel(s) to put through the matrix (repeatable); "
                         "see README, 'Bring your own kernel'")
    group.addoption("--no-isolation", action="store_true", default=False,
                    help="build and call kernels in the test process (faster; a crashing kernel "
                         "then ends the run)")
    group.addoption("--example-timeout", type=positive_seconds, default=DEFAULT_TIMEOUT,
                    help="seconds one example may take to build and run before it is a 'timeout' "
                         f"(default {DEFAULT_TIMEOUT:g})")
    group.addoption("--rpc-tracker", default=os.environ.get(rpc.ENV_TRACKER),
                    help="HOST:PORT of a TVM RPC tracker: its devices join the matrix as rows "
                         "rpc-KEY (with --rpc-key). Env: DWCONF_RPC_TRACKER")
    group.addoption("--rpc-key", default=os.environ.get(rpc.ENV_KEYS),
                    help="comma-separated device keys at the tracker, each KEY[=TARGET[:attr=value...]], "
                         "e.g. pi4=llvm:mtriple=aarch64-linux-gnu,gpu0=cuda (default target llvm). "
                         "Env: DWCONF_RPC_KEYS")
    group.addoption("--rpc-timeout", type=positive_seconds, default=None,
                    help=f"seconds to wait for the tracker to grant a device session (default "
                         f"{rpc.DEFAULT_TIMEOUT:g}). Env: DWCONF_RPC_TIMEOUT")
    group.addoption("--shard", default=os.environ.get("DWCONF_SHARD"),
                    help="I/N: run the I-th of N shards of the selected tests (every test in exactly one), "
                         "balanced by each row's recorded seconds; merge the shards' reports with "
                         "python -m reports.merge. Env: DWCONF_SHARD")
    group.addoption("--shard-costs", default=None, type=existing_file,
                    help="the recorded costs --shard balances: a results.json of an earlier run or a costs "
                         "table (default conformance/row_costs.json)")
    group.addoption("--findings", action="store_true", default=False,
                    help="run every finding's test (conformance/test_findings.py) whatever --kernels and "
                         "--targets select (default: those of the selected kernels and targets)")


def pytest_configure(config):
    from kernels.registry import register_kernel, select_kernels
    from kernels.user_module import load_kernel_module
    from conformance.checks import select_checks
    from targets.discovery import select_targets

    config.addinivalue_line("markers", "finding(kernels, targets): a finding's test, run when the selection has "
                                       "one of its kernels and one of its targets (None: any), or --findings")
    config.addinivalue_line("markers", "unselected: a parametrization the selection left empty (deselected)")
    if (config.getoption("rpc_key") and getattr(config.option, "numprocesses", None)
            and getattr(config.option, "dist", "no") != "loadgroup"):
        raise pytest.UsageError("remote devices (--rpc-key) need --dist loadgroup: one key's rows run on one xdist "
                                "worker, which holds the device's session (e.g. tox -e conformance -- --dist loadgroup "
                                "--rpc-tracker HOST:PORT --rpc-key KEY)")
    try:
        for path in config.getoption("kernel_module"):
            for kernel in load_kernel_module(path):
                register_kernel(kernel)
        selection = Selection(
            kernels=select_kernels(config.getoption("kernels")),
            targets=select_targets(config.getoption("targets")) + remote_targets(config),
            references=select_checks(config.getoption("references")),
            shard=parse_shard(config.getoption("shard")) if config.getoption("shard") else None,
        )
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if selection.shard:
        selection.notes["shard"] = "{}/{}".format(*selection.shard)
    remote = [t for t in selection.targets if t.rpc]
    if remote:  # the report says which farm and which target each device was built for
        selection.notes["rpc farm"] = f"tracker {config.getoption('rpc_tracker')}; " + "; ".join(
            f"{t.name}: {t.spec}" for t in remote)
    config.stash[SELECTION] = selection


def remote_targets(config) -> tuple:
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
    if "refusal_row" in metafunc.fixturenames:
        from kernels.refusal_paths import REFUSAL_PATHS

        selection = metafunc.config.stash[SELECTION]
        rows = [pytest.param((p, t), id=f"refuse:{p.name}-{t.name}") for p in REFUSAL_PATHS.values()
                for t in selection.targets if selection.takes_refusal_path(p)]
        metafunc.parametrize("refusal_row", rows or [pytest.param(None, id="unselected", marks=pytest.mark.unselected)])
    if "row" not in metafunc.fixturenames:
        return
    # A remote device serves one session at a time: its rows share one xdist worker
    # (--dist loadgroup), which holds the session across them.
    rows = [pytest.param(row, id=row.id, marks=[pytest.mark.xdist_group(row.target.name)] if row.target.rpc else [])
            for row in metafunc.config.stash[SELECTION].rows]
    # An empty selection gets one placeholder that is deselected: pytest would print an empty
    # parameter set as a skip, and a narrowed selection is no reason to skip anything.
    metafunc.parametrize("row", rows or [pytest.param(None, id="unselected", marks=pytest.mark.unselected)])


def selected(item, selection: Selection) -> bool:
    """Whether the selection takes this item: finding tests follow their kernels and targets."""
    if item.get_closest_marker("unselected"):
        return False
    finding = item.get_closest_marker("finding")
    if finding is None or item.config.getoption("findings"):
        return True
    return selection.takes(finding.kwargs.get("kernels"), finding.kwargs.get("targets"))


def item_row(item) -> str:
    """The matrix row an item checks ("{kernel}-{target}", as results.json keys rows), or its node id."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if params.get("row") is not None:
        return params["row"].id
    if params.get("refusal_row") is not None:
        path, target = params["refusal_row"]
        return f"refuse:{path.name}-{target.name}"
    return item.nodeid


def pytest_collection_modifyitems(config, items):
    selection = config.stash[SELECTION]
    keep, drop = [], []
    for item in items:
        (keep if selected(item, selection) else drop).append(item)
    if selection.shard:
        index, count = selection.shard
        recorded = load_costs(config.getoption("shard_costs"))
        shard_of = split({item.nodeid: recorded.get(item_row(item), DEFAULT_COST) for item in keep}, count)
        drop += [item for item in keep if shard_of[item.nodeid] != index]
        keep = [item for item in keep if shard_of[item.nodeid] == index]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def kernel_runner(request):
    """Where kernels are built and called: a reused worker process (default) or this process."""
    from runner.isolation import InProcessRunner, IsolatedRunner

    config = request.config
    runner = InProcessRunner() if config.getoption("no_isolation") else IsolatedRunner(
        config.getoption("example_timeout"))
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def selected_references(request):
    return request.config.stash[SELECTION].references

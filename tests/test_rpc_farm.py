"""The matrix on a real TVM RPC farm on 127.0.0.1: same results as a local run, lost devices
turn red and the run goes on, and bad RPC settings are one-line usage errors."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from runner.isolation import build_and_call
from kernels.registry import KERNELS
from model.case import DepthwiseCase
from model.example import seeded_example
from targets.discovery import select_targets
from targets.rpc import RPCConfigError, parse_keys, remote_targets
from tests.rpc_farm import LoopbackFarm, free_port

ROOT = Path(__file__).resolve().parents[1]
LLVM = select_targets("llvm")[0]


@pytest.fixture
def farm(tmp_path):
    farm = LoopbackFarm(tmp_path)
    yield farm
    farm.stop()


def conformance(farm, tmp_path, *args, profile="ci", cache="fresh"):
    """A `pytest conformance` subprocess through the farm (Popen: the caller waits)."""
    env = {**os.environ, "DWCONF_PROFILE": profile,
           "DWCONF_BUILD_CACHE": str(tmp_path / "builds") if cache == "fresh" else cache}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "conformance/test_conformance.py", "-q", "-p", "no:cacheprovider",
         "--report-dir", str(tmp_path / "report"), "--rpc-tracker", farm.tracker, *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def rows(tmp_path) -> dict:
    return json.loads((tmp_path / "report" / "results.json").read_text())["rows"]


def test_remote_kernels_compute_what_local_ones_do(farm, tmp_path):
    farm.add_server("loopa")
    (remote,) = remote_targets(farm.tracker, "loopa")
    for kernel, case in [("seed_te", DepthwiseCase(channels=3, multiplier=2, height=7, width=5, kernel_h=3, pad_top=2)),
                         ("topi_nhwc", DepthwiseCase(layout="NHWC", channels=2, height=6, width=6, stride_w=2)),
                         ("relax_conv2d", DepthwiseCase(channels=4, height=5, width=9, dilation_w=2, dtype="float16"))]:
        ex = seeded_example(case, 5)
        local = build_and_call(KERNELS[kernel], LLVM, ex)
        there = build_and_call(KERNELS[kernel], remote, ex)
        assert there.error is None, there.error
        np.testing.assert_array_equal(there.actual, local.actual)
    assert "load_module" in farm.log("loopa")


def test_farm_rows_equal_the_local_rows(farm, tmp_path):
    farm.add_server("loopa")
    farm.add_server("loopb")
    run = conformance(farm, tmp_path, "--targets", "llvm", "--kernels", "seed_te,topi_nhwc",
                      "--rpc-key", "loopa,loopb=llvm")
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 0, output
    found = rows(tmp_path)
    for kernel in ("seed_te", "topi_nhwc"):
        local = found[f"{kernel}-llvm"]
        for key in ("loopa", "loopb"):
            remote = found[f"{kernel}-rpc-{key}"]
            # the classic and real-model pinned cases a 2-D forward kernel takes + the ci profile's 60
            assert remote["examples"] == local["examples"] == 60 + len(two_d_pinned())
            assert remote["counts"] == local["counts"]
            assert remote["fingerprint"] == local["fingerprint"] != ""  # bit-identical outputs
    html = (tmp_path / "report" / "index.html").read_text()
    assert "rpc-loopa" in html and f"tracker {farm.tracker}" in html


def test_a_device_lost_mid_run_turns_its_rows_red_and_the_run_goes_on(farm, tmp_path):
    farm.add_server("loopa")
    farm.add_server("loopb")
    run = conformance(farm, tmp_path, "--targets", "llvm", "--kernels", "seed_te,topi_nchw,relax_conv2d",
                      "--rpc-key", "loopa,loopb", "--rpc-timeout", "5", profile="dev", cache="off")
    deadline = time.monotonic() + 300
    while farm.log("loopb").count("load_module") < 3:  # loopb is in the middle of its first row
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()[0]
        time.sleep(0.05)
    farm.kill("loopb")
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 1, output
    found = rows(tmp_path)
    lost = [name for name, row in found.items()
            if any("device lost" in reason for reason in row["reasons"].values())]
    assert found["seed_te-rpc-loopb"]["examples"] >= 3
    for kernel in ("seed_te", "topi_nchw", "relax_conv2d"):
        for name in (f"{kernel}-llvm", f"{kernel}-rpc-loopa"):
            assert set(found[name]["counts"]["numpy"]) == {"pass"}, (name, found[name])
    # Lost during its first row, so every loopb row is red: the first after its 3rd example,
    # the later ones at their first (no new session is requested from a lost device).
    assert set(lost) == {f"{k}-rpc-loopb" for k in ("seed_te", "topi_nchw", "relax_conv2d")}
    assert found["topi_nchw-rpc-loopb"]["examples"] == found["relax_conv2d-rpc-loopb"]["examples"] == 1
    html = (tmp_path / "report" / "index.html").read_text()
    assert "device lost" in html and "rpc-loopa" in html
    assert "Traceback" not in output


@pytest.mark.parametrize("args, message", [
    (["--rpc-tracker", "127.0.0.1:{port}", "--rpc-key", "loopa"], "cannot reach the RPC tracker at 127.0.0.1:"),
    (["--rpc-tracker", "nowhere", "--rpc-key", "loopa"], "--rpc-tracker must be HOST:PORT"),
    (["--rpc-tracker", "127.0.0.1:1", "--rpc-key", "a=tpu"], "unknown target 'tpu'; known targets: llvm"),
    (["--rpc-key", "loopa"], "--rpc-tracker HOST:PORT and --rpc-key KEY[,KEY...] go together"),
])
def test_bad_rpc_settings_are_one_line_usage_errors(args, message, tmp_path):
    args = [a.format(port=free_port()) for a in args]
    run = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "--report-dir", str(tmp_path), *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 4, output
    assert message in output and "Traceback" not in output


def test_a_key_without_a_server_is_a_usage_error_naming_the_registered_keys(farm, tmp_path):
    farm.add_server("loopa")
    run = conformance(farm, tmp_path, "--rpc-key", "loopa,lopb", "--targets", "llvm")
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 4, output
    assert f"no RPC server is registered at {farm.tracker} for key lopb; registered keys: loopa" in output
    assert "Traceback" not in output


def test_a_farm_spread_over_xdist_workers_by_load_is_a_usage_error(tmp_path):
    """One key's rows must share a worker (--dist loadgroup); --dist load would spread them.
    Said before the tracker is asked (none listens here)."""
    run = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "--report-dir", str(tmp_path),
                          "--rpc-tracker", "127.0.0.1:1", "--rpc-key", "loopa", "-n", "1", "--dist", "load"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 4, output
    assert "remote devices (--rpc-key) need --dist loadgroup" in output and "Traceback" not in output


def test_key_syntax():
    assert parse_keys("pi4=llvm:mtriple=aarch64-linux-gnu:mcpu=cortex-a72,gpu0=cuda, box") == [
        ("pi4", "llvm", {"mtriple": "aarch64-linux-gnu", "mcpu": "cortex-a72"}),
        ("gpu0", "cuda", {}),
        ("box", "llvm", {})]
    for bad in ("", "a,a", "a=llvm:mcpu", "a b"):
        with pytest.raises(RPCConfigError):
            parse_keys(bad)


def two_d_pinned() -> list:
    from strategies.pinned import CLASSIC_CASES, REAL_LAYERS

    return [c for c in {**CLASSIC_CASES, **REAL_LAYERS}.values() if c.rank == 2 and not c.transposed]

"""Bad input gets a one-line message that says what is available, never a traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_pytest(*args, tmp_path, env=None):
    return subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:randomly",
                           "--report-dir", str(tmp_path / "report"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("option, value, listed", [
    ("--targets", "llvm,tpu", "known targets: llvm, llvm-x86-64, llvm-native, c, cuda"),
    ("--kernels", "winograd", "known kernels: seed_te"),
    ("--references", "tensorflow", "known checks: numpy, torch, mxnet, onnxruntime, channel_permutation"),
    ("--checks", "tensorflow", "known checks: numpy, torch, mxnet, onnxruntime, channel_permutation"),
])
def test_unknown_names_are_usage_errors(option, value, listed, tmp_path):
    run = run_pytest(option, value, tmp_path=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 4, output
    assert listed in output
    assert "Traceback" not in output


def test_unavailable_target_is_a_visible_skip_with_its_reason(tmp_path):
    run = run_pytest("--targets", "vulkan", "--kernels", "seed_te", "-rs", tmp_path=tmp_path)
    if "vulkan code generator" not in run.stdout:
        pytest.skip("this TVM build has vulkan")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKIPPED" in run.stdout and "seed_te on vulkan: this TVM build has no vulkan" in run.stdout
    html = (tmp_path / "report" / "index.html").read_text()
    assert "skipped [1]" in html and "this TVM build has no vulkan code generator" in html


def test_a_narrowed_run_runs_only_what_it_selected_and_leaves_only_the_report(tmp_path):
    run = run_pytest("--kernels", "seed_te", "--targets", "llvm", "-n", "2", "-rA", tmp_path=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "PASSED conformance/test_conformance.py::test_conformance[seed_te-llvm]" in run.stdout
    assert "empty parameter" not in run.stdout and "topi_backward" not in run.stdout
    # findings of other kernels and targets (the Metal one alone takes ~20 s) are not run
    assert "metal" not in run.stdout and "seed_te_cpu_tiled" not in run.stdout
    assert "PASSED conformance/test_findings.py::test_every_finding_is_written_up_and_every_known_failure_and_exclusion_cites_one" in run.stdout
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["index.html", "results.json"]


def test_findings_option_runs_every_finding_whatever_the_selection(tmp_path):
    # (the narrowed run above shows the same selection without --findings leaves them out)
    everything = run_pytest("--kernels", "seed_te", "--targets", "llvm", "--findings", "--co", tmp_path=tmp_path)
    assert "test_conv2d_with_another_out_layout_compiles" in everything.stdout  # a relax_block finding
    assert "test_c_target_compiles_vectorized_loops" in everything.stdout


@pytest.mark.parametrize("args, env, said", [
    (("--example-timeout", "-1"), {}, "argument --example-timeout: '-1' is not a number of seconds > 0"),
    (("--rpc-timeout", "soon"), {}, "argument --rpc-timeout: 'soon' is not a number of seconds > 0"),
    (("--hypothesis-profile=weekly",), {}, "unknown Hypothesis profile 'weekly'; the profiles are dev, ci, nightly"),
    ((), {"DWCONF_PROFILE": "weekly"}, "DWCONF_PROFILE: unknown Hypothesis profile 'weekly'"),
    (("--shard", "3/2"), {}, "--shard takes I/N with 1 <= I <= N"),
    (("--shard", "1/2", "--shard-costs", "no-such-costs.json"), {}, "no-such-costs.json: no such file"),
    ((), {"DWCONF_HOST_MCPU": "bogus"}, "DWCONF_HOST_MCPU=bogus is not one of LLVM's"),
], ids=["timeout", "rpc-timeout", "profile", "profile-env", "shard", "shard-costs", "host-mcpu"])
def test_bad_option_values_stop_the_run_in_one_line(args, env, said, tmp_path):
    run = run_pytest("--co", *args, tmp_path=tmp_path, env=env)
    output = run.stdout + run.stderr
    assert run.returncode == 4, output
    assert said in output and "Traceback" not in output

"""Bad input gets a one-line message that says what is available, never a traceback."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_pytest(*args, tmp_path):
    return subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:randomly",
                           "--report-dir", str(tmp_path / "report"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("option, value, listed", [
    ("--targets", "llvm,tpu", "known targets: llvm, llvm-x86-64, llvm-native, c, cuda"),
    ("--kernels", "winograd", "known kernels: seed_te"),
    ("--references", "tensorflow", "known references: numpy, torch, mxnet"),
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
    assert "skipped:" in html and "vulkan" in html

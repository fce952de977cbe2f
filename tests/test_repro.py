"""A repro script of a *correct* kernel does not claim to reproduce anything."""
import subprocess
import sys

from kernels.build import build
from kernels.registry import KERNELS
from reports.repro import repro_script
from strategies.case import DepthwiseCase
from strategies.inputs import seeded_normal
from targets.discovery import select_targets


def test_repro_of_a_correct_kernel_exits_zero(tmp_path):
    target = select_targets("llvm")[0]
    case = DepthwiseCase(channels=3, multiplier=2, height=5, width=4, kernel_h=3, kernel_w=2,
                         pad_top=1, pad_right=2, stride_w=2)
    data, weight = seeded_normal(case, 5)
    compiled = build(KERNELS["topi_nchw"], case, target)
    text, side_files = repro_script("topi_nchw", target, case, data, weight, compiled.script)
    assert not side_files
    script = tmp_path / "repro.py"
    script.write_text(text)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not reproduced" in run.stdout

"""A repro script of a *correct* kernel does not claim to reproduce anything."""
import subprocess
import sys

from kernels.build import build
from kernels.registry import KERNELS
from reports.repro import repro_script
from strategies.case import DepthwiseCase
from strategies.inputs import ConvExample, seeded_normal
from targets.discovery import select_targets


def test_repro_of_a_correct_kernel_exits_zero(tmp_path):
    target = select_targets("llvm")[0]
    case = DepthwiseCase(channels=3, multiplier=2, height=5, width=4, kernel_h=3, kernel_w=2,
                         pad_top=1, pad_right=2, stride_w=2)
    data, weight = seeded_normal(case, 5)
    compiled = build(KERNELS["topi_nchw"], case, target)
    text, side_files = repro_script(KERNELS["topi_nchw"], target, ConvExample(case, data, weight), compiled.script)
    assert not side_files
    script = tmp_path / "repro.py"
    script.write_text(text)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not reproduced" in run.stdout


def test_repro_of_a_compile_error_reproduces_it(tmp_path):
    import pytest

    from kernels.build import BuildError
    from targets.discovery import discover_targets

    metal = {t.name: t for t in discover_targets()}["metal"]
    if not metal.available:
        pytest.skip(f"metal: {metal.why_unavailable}")
    case = DepthwiseCase(dtype="float64")
    with pytest.raises(BuildError) as error:
        build(KERNELS["topi_nchw"], case, metal)
    text, _ = repro_script(KERNELS["topi_nchw"], metal, ConvExample(case, *seeded_normal(case, 0)),
                           error.value.script)
    script = tmp_path / "repro.py"
    script.write_text(text)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "REPRODUCED: tvm.compile failed" in run.stdout and "float64" in run.stdout

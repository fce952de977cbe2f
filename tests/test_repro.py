"""A repro script of a *correct* kernel does not claim to reproduce anything; one of a kernel
reading past its input reproduces every time (guard zones, as in the suite)."""
import subprocess
import sys

from kernels.build import build
from kernels.registry import KERNELS
from reports.repro import repro_script
from strategies.case import DepthwiseCase
from strategies.inputs import ConvExample, seeded_normal
from targets.discovery import select_targets


def run_repro(tmp_path, kernel, case, seed=0):
    target = select_targets("llvm")[0]
    compiled = build(kernel, case, target)
    text, _ = repro_script(kernel, target, ConvExample(case, *seeded_normal(case, seed)), compiled.script)
    script = tmp_path / "repro.py"
    script.write_text(text)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


def test_repro_of_a_correct_kernel_exits_zero(tmp_path):
    case = DepthwiseCase(channels=3, multiplier=2, height=5, width=4, kernel_h=3, kernel_w=2,
                         pad_top=1, pad_right=2, stride_w=2)
    run = run_repro(tmp_path, KERNELS["topi_nchw"], case, seed=5)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not reproduced" in run.stdout


def test_repro_of_a_read_past_the_input_reproduces_every_time(tmp_path):
    from mutants.kernels import MUTANTS

    [reads_past] = [m.kernel for m in MUTANTS if m.kernel.name == "mutant_right_edge_read"]
    for seed in range(3):
        run = run_repro(tmp_path, reads_past, DepthwiseCase(pad_right=1), seed)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "REPRODUCED: outputs outside the error bound" in run.stdout and "tvm nan" in run.stdout


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

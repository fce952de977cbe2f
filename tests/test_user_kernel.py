"""Bring your own kernel: the README's worked example runs through the matrix, and a module
that does not follow the interface gets a message saying what is expected."""
import subprocess
import sys
from pathlib import Path

import pytest

from kernels.user_module import KernelModuleError, load_kernel_module

ROOT = Path(__file__).resolve().parents[1]


def test_worked_example_runs_through_the_matrix(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance/test_conformance.py", "-q", "-p", "no:randomly",
         "--kernel-module", "examples/my_depthwise.py", "--kernels", "my_depthwise", "--targets", "llvm",
         "--report-dir", str(tmp_path / "report")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "my_depthwise-llvm: 17 examples" in run.stdout and "numpy pass" in run.stdout
    assert 'id="row-my_depthwise-llvm"' in (tmp_path / "report" / "index.html").read_text()


@pytest.mark.parametrize("source, complaint", [
    ("x = 1\n", "defines neither KERNELS nor compute(case)"),
    ("import no_such_package_dwconf\n", "importing it failed (ModuleNotFoundError"),
    ("KERNELS = [1]\n", "KERNELS must be a non-empty list of Kernel"),
])
def test_bad_modules_say_what_the_interface_expects(tmp_path, source, complaint):
    module = tmp_path / f"user_{abs(hash(source))}.py"
    module.write_text(source)
    with pytest.raises(KernelModuleError) as error:
        load_kernel_module(str(module))
    assert complaint in str(error.value) and "compute(case) -> (X, K, Y)" in str(error.value)


def test_a_module_named_like_a_dwconf_package_is_the_users_own(tmp_path):
    own = tmp_path / "kernels.py"
    own.write_text((ROOT / "examples/my_depthwise.py").read_text().replace('NAME = "my_depthwise"', ""))
    [kernel] = load_kernel_module(str(own))
    assert kernel.name == "kernels" and kernel.compute.__module__.startswith("dwconf_user_kernels_")
    import kernels.registry  # dwconf's own package is untouched

    assert "seed_te" in kernels.registry.KERNELS


def test_two_files_with_one_name_in_different_folders_are_two_modules(tmp_path):
    loaded = []
    for folder, name in (("a", "clean"), ("b", "clean_b")):
        (tmp_path / folder).mkdir()
        module = tmp_path / folder / "clean.py"
        module.write_text(f'NAME = "{name}"\n\n\ndef compute(case):\n    return "{folder}"\n')
        loaded += load_kernel_module(str(module))
    assert [(k.name, k.compute(None)) for k in loaded] == [("clean", "a"), ("clean_b", "b")]

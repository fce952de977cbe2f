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
    # the ci profile's 10 + the 7 classic and 7 real-model 2-D layers, each once
    assert "my_depthwise-llvm: 24 examples" in run.stdout and "numpy pass" in run.stdout
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


INT8_KERNEL = '''
from tvm import te, topi

NAME = "my_int8"
DTYPES = ("int8", "uint8")


def compute(case):
    X = te.placeholder(case.input_shape, case.dtype, name="X")
    K = te.placeholder(case.weight_shape, case.dtype, name="K")
    padded = topi.nn.pad(X, (0, 0, case.pad_top, case.pad_left), (0, 0, case.pad_bottom, case.pad_right))
    kh = te.reduce_axis((0, case.kernel_h), name="kh")
    kw = te.reduce_axis((0, case.kernel_w), name="kw")
    m = case.multiplier
    return X, K, te.compute(case.output_shape, lambda n, c, i, j: te.sum(
        padded[n, c // m, i * case.stride_h + kh * case.dilation_h, j * case.stride_w + kw * case.dilation_w]
        .astype("int32") * K[c // m, c % m, kh, kw].astype("int32"), axis=[kh, kw]), name="Y")
'''


def test_an_int8_te_kernel_gets_its_output_in_the_cases_out_dtype(tmp_path):
    """A user TE kernel with integer DTYPES writes int32 sums: its output buffer is int32."""
    module = tmp_path / "my_int8.py"
    module.write_text(INT8_KERNEL)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance/test_conformance.py", "-q", "-p", "no:randomly",
         "--kernel-module", str(module), "--kernels", "my_int8", "--targets", "llvm", "--references", "numpy",
         "--report-dir", str(tmp_path / "report")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "my_int8-llvm: 10 examples" in run.stdout and "numpy pass" in run.stdout


def test_kill_probability_of_bugs_planted_in_your_own_kernel(tmp_path):
    """mutants.run --seeds takes --kernel-module: the user's wrong kernel is hunted under each seed."""
    module = tmp_path / "off_by_one.py"
    module.write_text(INT8_KERNEL.replace('NAME = "my_int8"', 'NAME = "my_off_by_one"') + '''

from model.case import DepthwiseCase

NEEDS = DepthwiseCase(dtype="int8")  # the smallest case the planted bug shows on
right = compute


def compute(case):
    X, K, Y = right(case)
    return X, K, te.compute(Y.shape, lambda *i: Y[i] + 1, name="Y1")  # every sum one too large
''')
    seeds = subprocess.run([sys.executable, "-m", "mutants.run", "--seeds", "3", "--max-examples", "10",
                            "--kernel-module", str(module)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert seeds.returncode == 0, seeds.stdout[-2000:] + seeds.stderr[-2000:]
    assert "| my_off_by_one | 100 % | 100 % |" in seeds.stdout and "bar" in seeds.stdout
    shrunk = subprocess.run([sys.executable, "-m", "mutants.run", "--max-examples", "10", "--kernel-module",
                             str(module)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert shrunk.returncode == 0, shrunk.stdout[-2000:] + shrunk.stderr[-2000:]
    assert "| my_off_by_one | killed | 1 | DepthwiseCase(dtype='int8') (work 2) | 2 | ok |" in shrunk.stdout

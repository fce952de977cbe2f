"""Upstream-ready artifacts of a failure: a regression test in TVM's test idiom, and the one
command that replays the failure through dwconf.

The regression test is the repro script (the module as TVMScript, the inputs, the float64
reference and its error bound inline) plus a pytest test parametrized over the failure's
target, skipped through `tvm.testing.env` where this machine cannot run it: it fails while the
bug is there and passes once it is fixed.
"""
from __future__ import annotations

REGRESSION_TEST = '''

import pytest
import tvm.testing

# What tvm.testing.env says about each target kind (a device where the kernel must run).
AVAILABLE = {{
    "llvm": tvm.testing.env.has_llvm, "c": lambda: True, "cuda": tvm.testing.env.has_cuda,
    "rocm": tvm.testing.env.has_rocm, "vulkan": tvm.testing.env.has_vulkan,
    "opencl": tvm.testing.env.has_opencl, "metal": tvm.testing.env.has_metal,
}}
COMPILE_ONLY = {compile_only!r}  # the failure is a compile error: no device is needed to see it


@pytest.mark.parametrize("target", [pytest.param(TARGET, id={target_name!r})])
def test_{test_name}(target):
    kind = target["kind"]
    if tvm.get_global_func(f"target.build.{{kind}}", allow_missing=True) is None:
        pytest.skip(f"this TVM has no {{kind}} code generator")
    if not COMPILE_ONLY and not AVAILABLE.get(kind, lambda: False)():
        pytest.skip(f"tvm.testing.env: no usable {{kind}} device")
    assert main() == 0, "reproduced (see the captured output): {summary}"
'''


def regression_test(repro: str, kernel, target, case, compile_only: bool) -> str:
    """The text of test_regression.py: the repro script plus a pytest test for `target`."""
    name = "".join(c if c.isalnum() else "_" for c in f"depthwise_conv2d_{kernel.name}")
    return repro.rstrip() + "\n" + REGRESSION_TEST.format(
        compile_only=compile_only, target_name=target.name, test_name=name,
        summary=case.summary().replace('"', "'"))


def replay_command(kernel, target, profile: str) -> str:
    """The command that replays the failing row through dwconf (the ci profile and the example
    database find the same failure again)."""
    from kernels.user_module import IMPORTED

    module = IMPORTED.get(kernel.compute.__module__)
    extra = f" --kernel-module {module}" if module else ""
    return (f"python -m pytest conformance/test_conformance.py -p no:randomly --kernels {kernel.name} "
            f"--targets {target.name} --hypothesis-profile={profile}{extra}")

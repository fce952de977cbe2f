"""Kernel registry behaviour: build caching, the shape-generic mode, dtype exclusions, known failures."""
import numpy as np

from findings.table import known_failure
from runner.build import build
from kernels.registry import KERNELS
from reference.numpy_oracle import numpy_reference
from model.case import DepthwiseCase
from model.example import seeded_example
from targets.discovery import discover_targets, select_targets

LLVM = select_targets("llvm")[0]


def test_static_builds_are_cached_by_case():
    case = DepthwiseCase(channels=2, height=3, width=3, kernel_h=2)
    assert build(KERNELS["topi_nchw"], case, LLVM) is build(KERNELS["topi_nchw"], case, LLVM)
    other = DepthwiseCase(channels=3, height=3, width=3, kernel_h=2)
    assert build(KERNELS["topi_nchw"], other, LLVM) is not build(KERNELS["topi_nchw"], case, LLVM)


def test_generic_kernel_compiles_once_per_dtype_and_is_right_for_each_case():
    kernel = KERNELS["seed_te_generic"]
    cases = [DepthwiseCase(channels=2, multiplier=2, height=5, width=4, kernel_h=3, pad_top=1, stride_w=2),
             DepthwiseCase(batch=2, channels=3, height=7, width=6, kernel_w=2, dilation_h=2, pad_right=3)]
    functions = set()
    for case in cases:
        compiled = build(kernel, case, LLVM)
        functions.add(id(compiled.function))
        ex = seeded_example(case, 1)
        np.testing.assert_allclose(compiled(ex), numpy_reference(case, ex.data, ex.weight), rtol=1e-5, atol=1e-5)
    assert len(functions) == 1


def test_targets_exclude_dtypes_with_reasons():
    targets = {t.name: t for t in discover_targets()}
    assert "float64" in targets["metal"].excluded_dtypes("te")
    assert set(targets["metal"].excluded_dtypes("relax")) == {"float32", "float64", "float16", "bfloat16"}
    assert "float16" not in targets["metal"].excluded_dtypes("te")
    reason = KERNELS["topi_nchw"].why_unsupported(DepthwiseCase(dtype="float64"), targets["metal"])
    assert reason and "64-bit" in reason


def test_known_failures_match_exactly():
    assert known_failure("relax_conv2d", "cuda", "compile error: AssertionError") is not None
    assert known_failure("relax_conv2d", "llvm", "compile error: AssertionError") is None
    assert known_failure("topi_nchw", "cuda", "compile error: AssertionError") is None
    assert known_failure("relax_conv2d", "cuda", "numpy: 3/4 elements outside the error bound") is None

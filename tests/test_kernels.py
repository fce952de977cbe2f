"""Kernel registry behaviour: build caching, the shape-generic mode, dtype exclusions, known failures."""
import dataclasses

import numpy as np

from findings.table import known_failure, reached
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
    assert set(targets["metal"].excluded_dtypes("relax")) == {"float64"}  # the Metal "segfault" was tvm-ffi's
    assert "float16" not in targets["metal"].excluded_dtypes("te")
    reason = KERNELS["topi_nchw"].why_unsupported(DepthwiseCase(dtype="float64"), targets["metal"])
    assert reason and "64-bit" in reason


def test_known_failures_match_exactly():
    conv2d = reached((), "y = R.nn.conv2d(x, w, groups=2)")
    assert conv2d == {"relax.nn.conv2d"}
    assert known_failure(conv2d, "cuda", "compile error: AssertionError") is not None
    assert known_failure(conv2d, "llvm", "compile error: AssertionError") is None
    assert known_failure(reached((), "T.sblock('Y')"), "cuda", "compile error: AssertionError") is None
    assert known_failure(conv2d, "cuda", "numpy: 3/4 elements outside the error bound") is None


def test_known_failures_follow_what_a_kernel_reached_not_its_name():
    """A user's kernel built from relax_block's pieces, under a name of its own, inherits upstream's
    known failure; the importer's known failures need the importer."""
    from findings.table import TORCH_FRONTEND
    from kernels.relax_block import relax_block

    script = relax_block(DepthwiseCase(), out_layout="NHWC").script()
    failed = "compile error: CodeGenVM cannot emit this Relax operator directly"
    known = known_failure(reached((), script), "llvm", failed)
    assert known is not None and known.finding.name == "relax-conv2d-out-layout"
    message = "compile error: Binary operators must have the same datatype for both operands"
    assert known_failure(reached((), script), "llvm", message) is None
    assert known_failure(reached((TORCH_FRONTEND,), None), "llvm", message).finding.name == "torch-frontend-conv-float32"


def compile_only_gpu_target():
    """A GPU target this host generates code for but cannot run: opencl first (its code needs no
    offline compiler, so the verdict does not depend on nvcc being installed), else cuda with nvcc."""
    import pytest

    from targets.discovery import offline_compiler_missing

    targets = {t.name: t for t in discover_targets()}
    for name in ("opencl", "cuda"):
        target = targets[name]
        if target.available and not target.runnable and not offline_compiler_missing(target):
            return target
    pytest.skip("no compile-only opencl target, nor cuda with nvcc, here")


def test_generic_gpu_kernel_builds_once_per_dtype_and_thread_count():
    target, kernel = compile_only_gpu_target(), KERNELS["seed_te_generic_gpu"]
    small, large = DepthwiseCase(channels=2, width=3), DepthwiseCase(channels=5, height=9, width=70, pad_left=2)
    first = build(kernel, small, target, (("threads", 96),))
    assert build(kernel, large, target, (("threads", 96),)).script is first.script
    assert build(kernel, large, target, (("threads", 32),)).script is not first.script
    assert 'thread_binding(96, thread="threadIdx.x")' in first.script
    assert build(kernel, large, target, (("threads", 96),)).scalar_args == (0, 2, 0, 0, 1, 1, 1, 1)


def test_compile_only_builds_are_recorded_on_disk(tmp_path, monkeypatch):
    import runner.build as runner_build
    from runner import build_cache

    target, kernel = compile_only_gpu_target(), KERNELS["seed_te_gpu_threads"]
    monkeypatch.setenv(build_cache.ENV, str(tmp_path))
    case, options = DepthwiseCase(channels=3, width=4), (("inline_padding", False), ("shared_input", False),
                                                         ("threads", 32))
    runner_build.build_static.cache_clear()
    size = build(kernel, case, target, options).binary_size
    assert len(list(tmp_path.glob("*.compiled"))) == 1

    def must_not_compile(*args):
        raise AssertionError("compiled again despite the record")

    runner_build.build_static.cache_clear()
    monkeypatch.setattr(runner_build, "compile_module", must_not_compile)
    assert build(kernel, case, target, options).binary_size == size
    runner_build.build_static.cache_clear()


FAMILY_CASES = {
    "topi_conv1d": DepthwiseCase(channels=3, multiplier=2, rank=1, width=9, kernel_w=3, stride_w=2, pad_left=2,
                                 dilation_w=2),
    "topi_conv1d_nwc": DepthwiseCase(channels=17, rank=1, width=6, kernel_w=2, pad_right=1, layout="NWC"),
    "topi_conv3d": DepthwiseCase(channels=2, rank=3, depth=3, height=4, width=5, kernel_d=2, kernel_w=3, pad_back=1),
    "topi_conv2d_transpose": DepthwiseCase(channels=2, multiplier=2, transposed=True, height=3, width=4, kernel_h=3,
                                           stride_w=2, pad_top=1, pad_right=1, output_padding_w=1),
    "relax_conv1d_transpose": DepthwiseCase(channels=2, rank=1, transposed=True, width=4, kernel_w=3, stride_w=3,
                                            dilation_w=2, pad_left=1, output_padding_w=2),
    "relax_conv3d_transpose": DepthwiseCase(channels=2, rank=3, transposed=True, depth=2, height=3, width=2,
                                            kernel_d=2, kernel_h=2, stride_d=2, output_padding_d=1),
}


def test_each_family_path_computes_its_member():
    for name, case in FAMILY_CASES.items():
        kernel = KERNELS[name]
        assert kernel.supports(case, LLVM), (name, kernel.why_unsupported(case, LLVM))
        ex = seeded_example(dataclasses.replace(case, dtype="float64"), 2)
        out = build(kernel, ex.case, LLVM)(ex)
        np.testing.assert_allclose(out, numpy_reference(ex.case, ex.data, ex.weight), rtol=1e-12, atol=1e-12,
                                   err_msg=name)


def test_a_member_row_draws_its_member_and_takes_the_family_as_follow_ups():
    row = KERNELS["topi_conv1d"]
    transposed = DepthwiseCase(rank=1, transposed=True, width=3, kernel_w=2)
    assert "forward convolutions only" in row.why_unsupported(transposed, LLVM)
    assert row.why_unsupported(transposed, LLVM, follow_up=True) is None

"""Shape-generic mode: the seed's compute with every size, stride, padding and dilation a
symbolic variable, compiled once per dtype (and schedule options) and target and reused for
every case.

Dynamic-shape code paths are worth testing in their own right (index arithmetic on
variables, runtime shape checks), and one build serves thousands of examples: on CUDA that
is one nvcc run per (dtype, options) instead of one per case.
"""
from hypothesis import strategies as st
from tvm import te, tirx

from kernels.kernel import Kernel
from kernels.scheduled_kernels import bind_flat
from model.case import DTYPES
from model.space import CaseSpace
from strategies.budget import nightly

SCALARS = ("pad_top", "pad_left", "pad_bottom", "pad_right", "stride_h", "stride_w", "dilation_h", "dilation_w")


def generic_depthwise_conv(dtype):
    """(X, K, Y, scalar vars): NCHW data (N, C, H, W), weight (C, M, KH, KW), all symbolic."""
    n, c, h, w, m, kh, kw = (te.var(name) for name in ("n", "c", "h", "w", "m", "kh", "kw"))
    pt, pl, pb, pr, sh, sw, dh, dw = (te.var(name) for name in SCALARS)
    X = te.placeholder((n, c, h, w), dtype, name="X")
    K = te.placeholder((c, m, kh, kw), dtype, name="K")
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (w + pl + pr - dw * (kw - 1) - 1) // sw + 1
    PaddedX = te.compute(
        (n, c, h + pt + pb, w + pl + pr),
        lambda b, q, i, j: tirx.if_then_else(
            tirx.any(i < pt, i >= h + pt, j < pl, j >= w + pl), tirx.const(0, dtype), X[b, q, i - pt, j - pl]),
        name="PaddedX")
    rkh = te.reduce_axis((0, kh), name="rkh")
    rkw = te.reduce_axis((0, kw), name="rkw")
    Y = te.compute(
        (n, c * m, oh, ow),
        lambda b, o, i, j: te.sum(
            PaddedX[b, o // m, i * sh + rkh * dh, j * sw + rkw * dw] * K[o // m, o % m, rkh, rkw],
            axis=[rkh, rkw]),
        name="Y")
    return X, K, Y, (pt, pl, pb, pr, sh, sw, dh, dw)


def generic_scalars(case) -> tuple:
    """The scalar arguments the generic function takes after (X, K, Y), for `case`."""
    return tuple(getattr(case, name) for name in SCALARS)


SEED_TE_GENERIC = Kernel(
    name="seed_te_generic", compute=generic_depthwise_conv, space=CaseSpace(layouts=("NCHW",), dtypes=DTYPES),
    description="the seed's compute with symbolic shapes, strides, padding and dilation (compiled once per dtype)",
    generic=generic_scalars, gpu=False)


# Thread counts of the generic GPU kernel: one warp, three (not a power of two, so the output's
# flat index splits unevenly), four, and the usual 256.
GENERIC_GPU_THREADS = (32, 96, 128, 256)


def generic_gpu_options(case):
    """Threads per block: each value is one build per dtype (~10 s: symbolic shapes make a slow
    lowering). Outside the nightly profile one count per dtype, each count for one of them, so a
    run covers every count and every dtype in four builds instead of sixteen."""
    if nightly():
        threads = st.sampled_from(GENERIC_GPU_THREADS)
    else:
        threads = st.just(GENERIC_GPU_THREADS[DTYPES.index(case.dtype) % len(GENERIC_GPU_THREADS)])
    return st.fixed_dictionaries({"threads": threads})


def generic_gpu_schedule(sch, case, target, threads):
    """One thread per element of the flattened symbolic output, the reduction in the thread;
    the padded input a bound stage of its own (inlining it needs the region-cover property,
    which TVM cannot prove for symbolic extents)."""
    bind_flat(sch, sch.get_sblock("PaddedX"), 4, threads)
    bind_flat(sch, sch.get_sblock("Y"), 4, threads)


SEED_TE_GENERIC_GPU = Kernel(
    name="seed_te_generic_gpu", compute=generic_depthwise_conv,
    space=CaseSpace(layouts=("NCHW",), dtypes=DTYPES),
    description="the shape-generic compute bound to GPU threads (compiled once per dtype and thread count)",
    schedule=generic_gpu_schedule, options=generic_gpu_options, generic=generic_scalars, cpu=False)

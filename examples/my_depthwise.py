"""A worked example of a user kernel for `--kernel-module` (see README, 'Bring your own kernel').

A depthwise convolution written directly in TE, NCHW, with TOPI's padding, and a CPU
schedule whose split factor dwconf draws (and shrinks) like any other part of a case.
"""
from hypothesis import strategies as st
from tvm import te, topi

NAME = "my_depthwise"
DESCRIPTION = "example user kernel: TE compute + split/parallel schedule"
LAYOUTS = ("NCHW",)
DTYPES = ("float32", "float64")


def compute(case):
    X = te.placeholder(case.input_shape, case.dtype, name="X")
    K = te.placeholder(case.weight_shape, case.dtype, name="K")
    padded = topi.nn.pad(X, (0, 0, case.pad_top, case.pad_left), (0, 0, case.pad_bottom, case.pad_right))
    kh = te.reduce_axis((0, case.kernel_h), name="kh")
    kw = te.reduce_axis((0, case.kernel_w), name="kw")
    m = case.multiplier
    Y = te.compute(
        case.output_shape,
        lambda n, c, i, j: te.sum(
            padded[n, c // m, i * case.stride_h + kh * case.dilation_h, j * case.stride_w + kw * case.dilation_w]
            * K[c // m, c % m, kh, kw], axis=[kh, kw]),
        name="Y")
    return X, K, Y


def options(case):
    return st.fixed_dictionaries({"split": st.sampled_from((1, 2, 3, 8))})


def schedule(sch, case, target, split):
    n, c, i, j, kh, kw = sch.get_loops(sch.get_sblock("Y"))
    sch.split(j, factors=[None, split])
    sch.parallel(sch.fuse(n, c))

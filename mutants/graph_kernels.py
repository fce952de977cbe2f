"""Graph-level bugs: mutations of the deployed block (kernels/relax_block.py), each one step
builder replaced. Like the seed mutants, each says the smallest case its bug shows on."""
from __future__ import annotations

import dataclasses
import functools

from hypothesis import strategies as st

from kernels.kernel import Kernel
from kernels.relax_block import (EPILOGUE_BUILDERS, WIDE_OUT, arguments, batch_norm, depthwise, relax_block,
                                 residual_input)
from model.case import DepthwiseCase
from model.epilogue import MOBILENET_V2
from model.example import OUT_DTYPE
from model.space import CaseSpace


def _bias_on_the_wrong_channel(g, y):
    """Bias index m*C + c for output channel c*M + m: the (C, M) bias read as (M, C)."""
    from tvm import relax

    c, m = g.case.channels, g.case.multiplier
    swapped = g.emit(relax.op.reshape(g.emit(relax.op.permute_dims(g.emit(relax.op.reshape(g.param("bias"), (m, c))),
                                                                  [1, 0])), (-1,)))
    shape = [1] * 4
    shape[g.out_layout.index("C")] = -1
    return g.emit(relax.op.add(y, g.emit(relax.op.reshape(swapped, shape))))


def _relu6_then_bias(g, y):
    """ReLU6 applied before the bias is added (the bias step itself does nothing)."""
    from tvm import relax

    return g.emit(relax.op.add(g.emit(relax.op.clip(y, 0, 6)), g.per_channel("bias")))


def _residual_before_projection(g, y):
    """The residual added to the depthwise branch before the pointwise projection."""
    from tvm import relax

    return g.pointwise(g.emit(relax.op.add(y, residual_input(g))), g.param("project_weight"), g.out_layout)


def _identity(g, y):
    return y


def _bn_without_epsilon(g, y):
    """BatchNorm dividing by sqrt(var), without epsilon."""
    return batch_norm(g, y, epsilon=0.0)


def _narrow_accumulation(g, x, w):
    """The convolution accumulated in the inputs' dtype, then cast to the wider out_dtype."""
    from tvm import relax

    narrow = dataclasses.replace(g, out_dtype=g.case.dtype)
    return g.emit(relax.op.astype(depthwise(narrow, x, w), g.out_dtype))


def graph_mutant(name, description, epilogues, dtypes=("float32",), options=None, **builders):
    """A relax_block whose named step builders are replaced, over the epilogues (and dtypes,
    and drawn block options) the bug needs."""
    compute = functools.partial(relax_block, builders={**EPILOGUE_BUILDERS, **builders})
    space = CaseSpace(layouts=("NCHW",), epilogues=epilogues, max_channels=8, dtypes=dtypes)
    return Kernel(name=f"mutant_{name}", compute=compute, space=space, description=description, kind="relax",
                  arguments=arguments, options=options)


GRAPH_MUTANTS = (
    (graph_mutant("bias_wrong_channel",
                  "the bias of output channel c*M + m taken from m*C + c", ("bias", "bias+relu6"),
                  bias=_bias_on_the_wrong_channel),
     DepthwiseCase(channels=2, multiplier=2, epilogue="bias")),
    (graph_mutant("relu6_before_bias", "ReLU6 applied before the bias is added", ("bias+relu6",),
                  bias=_identity, relu6=_relu6_then_bias),
     DepthwiseCase(epilogue="bias+relu6")),
    (graph_mutant("residual_before_projection", "the residual added before the pointwise projection",
                  (MOBILENET_V2,), project=_residual_before_projection, residual=_identity),
     DepthwiseCase(epilogue=MOBILENET_V2)),
    (graph_mutant("bn_without_epsilon", "BatchNorm's variance used without epsilon", ("bn",),
                  bn=_bn_without_epsilon),
     DepthwiseCase(epilogue="bn")),
    # A float32 out_dtype promises float32 arithmetic (reference/tolerance.py computed_in).
    (graph_mutant("narrow_accumulation", f"float16/bfloat16 summed in their own dtype behind a {WIDE_OUT} out_dtype",
                  ("",), dtypes=("float16", "bfloat16"), options=lambda case: st.just({OUT_DTYPE: WIDE_OUT}),
                  conv=_narrow_accumulation),
     DepthwiseCase(dtype="float16")),
)

"""Graph-level bugs: mutations of the deployed block (kernels/relax_block.py), each one step
builder replaced. Like the seed mutants, each says the smallest case its bug shows on."""
from __future__ import annotations

import functools

from kernels.kernel import Kernel
from kernels.relax_block import EPILOGUE_BUILDERS, arguments, batch_norm, relax_block, residual_input
from model.case import DepthwiseCase
from model.epilogue import MOBILENET_V2
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


def graph_mutant(name, description, epilogues, **builders):
    """A relax_block whose named step builders are replaced, over the epilogues the bug needs."""
    compute = functools.partial(relax_block, builders={**EPILOGUE_BUILDERS, **builders})
    space = CaseSpace(layouts=("NCHW",), epilogues=epilogues, max_channels=8)
    return Kernel(name=f"mutant_{name}", compute=compute, space=space, description=description, kind="relax",
                  arguments=arguments)


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
)

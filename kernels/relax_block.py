"""`relax_block`: the Relax op as deployed. `relax.op.nn.conv2d(groups=C)` in drawn data,
kernel and output layouts and out_dtype, inside its block (bias, BatchNorm, ReLU/ReLU6,
pointwise convolutions, residual add: model/epilogue.py), through a drawn pass pipeline
(kernels/pipelines.py); integer cases as int8/uint8 -> int32.

`main` takes the arrays in the case's layout (data, weight (C, M, KH, KW) or (KH, KW, C, M),
then the epilogue's) and permutes them into the drawn layouts itself, as a deployed graph's
layout-conversion ops would; with the "constants" pipeline it takes the data alone.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

from hypothesis import strategies as st

from findings.table import layout_exclusion
from kernels.kernel import Kernel
from kernels.pipelines import PIPELINES, apply_pipeline
from model.case import ACCUMULATOR, DTYPES, INTEGER_DTYPES, DepthwiseCase
from model.epilogue import BN_EPSILON, EPILOGUES, MOBILENET_V2, parameter_shapes, steps
from model.example import BOUND_INPUTS, INPUT_VALUES, OUT_DTYPE, seeded_arrays
from model.space import CaseSpace

# Relax accepts every ordering of N, C, H, W for the data (and output) and of O, I, H, W for the
# kernel (probed on 0.27); those findings/table.py's LAYOUT_EXCLUSIONS name are not drawn.
ALL_DATA_LAYOUTS = tuple("".join(p) for p in itertools.permutations("NCHW"))
ALL_KERNEL_LAYOUTS = tuple("".join(p) for p in itertools.permutations("OIHW"))
DATA_LAYOUTS = tuple(layout for layout in ALL_DATA_LAYOUTS if layout_exclusion(layout) is None)
KERNEL_LAYOUTS = tuple(layout for layout in ALL_KERNEL_LAYOUTS if layout_exclusion(layout) is None)
WIDE_OUT = "float32"  # the out_dtype float16/bfloat16 cases may also draw


def permutation(source: str, destination: str) -> list[int]:
    """The axes that permute_dims takes to turn layout `source` into `destination`."""
    return [source.index(axis) for axis in destination]


def _layouts(tensor, source: str, destination: str):
    from tvm import relax

    return tensor if source == destination else relax.op.permute_dims(tensor, permutation(source, destination))


@dataclass
class Graph:
    """What an epilogue step's builder works with: the block builder, the epilogue's inputs
    (Relax vars, by name) and the drawn layouts and out_dtype."""

    bb: object
    case: DepthwiseCase
    extras: dict
    data_layout: str
    kernel_layout: str
    out_layout: str
    out_dtype: str

    def emit(self, expr):
        return self.bb.emit(expr)

    def param(self, name: str):
        """An epilogue input in the output's dtype."""
        from tvm import relax

        var = self.extras[name]
        return var if self.out_dtype == self.case.dtype else self.emit(relax.op.astype(var, self.out_dtype))

    def per_channel(self, name: str):
        """A per-channel vector shaped to broadcast along the output layout's C."""
        from tvm import relax

        shape = [1] * 4
        shape[self.out_layout.index("C")] = -1
        return self.emit(relax.op.reshape(self.param(name), shape))

    def pointwise(self, x, weight, layout: str):
        """A 1x1 convolution of `x` (in `layout`) with an (out, in) `weight`, in the drawn kernel layout."""
        from tvm import relax

        w = self.emit(_layouts(self.emit(relax.op.expand_dims(weight, [2, 3])), "OIHW", self.kernel_layout))
        return self.emit(relax.op.nn.conv2d(x, w, data_layout=layout, kernel_layout=self.kernel_layout,
                                            out_layout=layout))


def _bias(g: Graph, y):
    from tvm import relax

    return g.emit(relax.op.add(y, g.per_channel("bias")))


def batch_norm(g: Graph, y, epsilon: float = BN_EPSILON):
    """BatchNorm in inference form (training=False: the running statistics), as frontends emit it."""
    from tvm import relax

    bn = g.emit(relax.op.nn.batch_norm(y, *(g.param(f"bn_{n}") for n in ("gamma", "beta", "mean", "var")),
                                       axis=g.out_layout.index("C"), epsilon=epsilon, training=False))
    return g.emit(relax.TupleGetItem(bn, 0))


def _relu(g: Graph, y):
    from tvm import relax

    return g.emit(relax.op.nn.relu(y))


def _relu6(g: Graph, y):
    from tvm import relax

    return g.emit(relax.op.clip(y, 0, 6))  # what the frontends emit for ReLU6


def _project(g: Graph, y):
    return g.pointwise(y, g.param("project_weight"), g.out_layout)


def residual_input(g: Graph):
    """The residual branch (an input in the case's layout) in the output layout."""
    return g.emit(_layouts(g.param("residual"), g.case.layout, g.out_layout))


def _residual(g: Graph, y):
    from tvm import relax

    return g.emit(relax.op.add(y, residual_input(g)))


def depthwise(g: Graph, x, w):
    """The depthwise convolution of `x` (in the data layout) with `w` (in the kernel layout),
    returned in the output layout and out_dtype."""
    from tvm import relax

    case = g.case
    return g.emit(relax.op.nn.conv2d(
        x, w, strides=case.stride, padding=case.padding, dilation=case.dilation, groups=case.channels,
        data_layout=g.data_layout, kernel_layout=g.kernel_layout, out_layout=g.out_layout, out_dtype=g.out_dtype))


# The step after the convolution -> its builder (g, y) -> y'; "expand" comes before it, and
# "conv" builds the convolution itself, (g, x, w) -> y.
EPILOGUE_BUILDERS = {"conv": depthwise, "bias": _bias, "bn": batch_norm, "relu": _relu, "relu6": _relu6,
                     "project": _project, "residual": _residual}


def relax_block(case, data_layout="NCHW", kernel_layout="OIHW", out_layout=None, out_dtype=None,
                pipeline="default", constants=None, builders=None):
    """A Relax function main(data, weight, *epilogue arrays) -> the case's block, in the case's
    layout (`builders`: EPILOGUE_BUILDERS, or a mutant's). The pipeline and constants options
    take effect in `prepare`."""
    from tvm import relax

    builders = builders or EPILOGUE_BUILDERS
    out_layout = out_layout or data_layout
    out_dtype = out_dtype or case.out_dtype
    parts = steps(case.epilogue)
    bb = relax.BlockBuilder()
    data = relax.Var("data", relax.TensorType(case.input_shape, case.dtype))
    weight = relax.Var("weight", relax.TensorType(case.weight_shape, case.dtype))
    extras = {name: relax.Var(name, relax.TensorType(shape, case.dtype))
              for name, shape in parameter_shapes(case).items()}
    g = Graph(bb, case, extras, data_layout, kernel_layout, out_layout, out_dtype)
    with bb.function("main", [data, weight, *extras.values()]):
        with bb.dataflow():
            x = g.emit(_layouts(data, case.layout, data_layout))
            if "expand" in parts:
                x = g.pointwise(x, extras["expand_weight"], data_layout)
            grouped = (case.out_channels, 1, case.kernel_h, case.kernel_w) if case.layout == "NCHW" else \
                (case.kernel_h, case.kernel_w, case.out_channels, 1)
            w = g.emit(relax.op.reshape(weight, grouped))
            w = g.emit(_layouts(w, "OIHW" if case.layout == "NCHW" else "HWOI", kernel_layout))
            y = builders["conv"](g, x, w)
            for step in parts:
                if step != "expand":
                    y = builders[step](g, y)
            out = bb.emit_output(g.emit(_layouts(y, out_layout, case.layout)))
        bb.emit_func_output(out)
    return bb.get()


def prepare(mod, case, options: dict):
    """The module after the drawn pass pipeline (constants: this example's arrays, rebuilt from
    the seed the option carries)."""
    bound = None
    if options.get(BOUND_INPUTS) is not None:
        _, weight, extras = seeded_arrays(case, *options[BOUND_INPUTS])
        bound = {"weight": weight, **extras}
    return apply_pipeline(mod, options.get("pipeline", "default"), options.get("data_layout", "NCHW"), bound)


def arguments(ex) -> dict:
    """What main takes: every array, or the data alone when the others are bound as constants."""
    if dict(ex.options).get(BOUND_INPUTS) is not None:
        return {"data": ex.data}
    return ex.arrays


def block_options(case: DepthwiseCase) -> st.SearchStrategy[dict]:
    """Layouts (the output's differs from the data's one time in eight), out_dtype, pipeline."""
    widens = case.dtype in ("float16", "bfloat16")
    return st.builds(
        functools.partial(_options, case.out_dtype), st.sampled_from(DATA_LAYOUTS), st.sampled_from(KERNEL_LAYOUTS),
        st.integers(0, 7), st.sampled_from(DATA_LAYOUTS), st.booleans() if widens else st.just(False),
        st.sampled_from(PIPELINES))


def _options(out_dtype, data_layout, kernel_layout, other_out, out_layout, wide, pipeline) -> dict:
    return {"data_layout": data_layout, "kernel_layout": kernel_layout,
            "out_layout": out_layout if other_out == 7 else data_layout,
            OUT_DTYPE: WIDE_OUT if wide else out_dtype, "pipeline": pipeline,
            BOUND_INPUTS: INPUT_VALUES if pipeline == "constants" else None}


# H and W differ in every parameter, so a layout that swaps them cannot go unnoticed.
SWEEP_CASE = DepthwiseCase(batch=2, channels=3, multiplier=2, height=9, width=8, kernel_h=3, kernel_w=2,
                           stride_h=2, stride_w=1, pad_top=1, pad_left=2, pad_bottom=0, pad_right=1,
                           dilation_h=1, dilation_w=2)


def pinned_sweep() -> list[tuple[str, DepthwiseCase, dict]]:
    """Examples every ci run checks, so that it covers every drawn data layout, kernel layout,
    epilogue, pipeline and dtype (layouts paired cyclically, not all pairs), both integer dtypes
    at the ends of their range, the wide out_dtype, and an output layout other than the data's."""
    examples = []
    for i, data_layout in enumerate(DATA_LAYOUTS):
        case = dataclasses.replace(SWEEP_CASE, layout=("NCHW", "NHWC")[i % 2], dtype=("float32", "float64")[i // 2 % 2],
                                   epilogue=EPILOGUES[i % len(EPILOGUES)])
        options = _options(case.out_dtype, data_layout, KERNEL_LAYOUTS[5 * i % len(KERNEL_LAYOUTS)], 0, None, False,
                           PIPELINES[i % len(PIPELINES)])
        examples.append((f"sweep_{data_layout}_{options['kernel_layout']}", case, options))
    for dtype in INTEGER_DTYPES:
        case = dataclasses.replace(SWEEP_CASE, dtype=dtype)
        examples.append((f"sweep_{dtype}", case, _options(case.out_dtype, "NCHW", "OIHW", 0, None, False, "default")))
    for dtype in ("float16", "bfloat16"):
        case = dataclasses.replace(SWEEP_CASE, dtype=dtype, epilogue=MOBILENET_V2)
        examples.append((f"sweep_{dtype}_to_{WIDE_OUT}", case, _options(case.out_dtype, "NHWC", "HWOI", 0, None, True,
                                                                        "default")))
    examples.append(("sweep_out_layout", SWEEP_CASE, _options(SWEEP_CASE.out_dtype, "NCHW", "OIHW", 7, "NHWC", False,
                                                              "default")))
    return examples


RELAX_BLOCK = Kernel(
    name="relax_block", compute=relax_block, kind="relax", options=block_options, prepare=prepare,
    arguments=arguments, pinned=pinned_sweep, classic_pinned=False,
    option_classes={"data_layout": DATA_LAYOUTS, "kernel_layout": KERNEL_LAYOUTS, "out_layout": DATA_LAYOUTS,
                    "out_dtype": (*DTYPES, ACCUMULATOR), "pipeline": PIPELINES},
    space=CaseSpace(dtypes=DTYPES + INTEGER_DTYPES, epilogues=EPILOGUES, max_channels=8),
    description="relax.op.nn.conv2d(groups=C) as deployed: 12 data x 12 kernel layouts, out_dtype, "
                f"epilogues ({MOBILENET_V2} among them), pass pipelines, int8/uint8 -> int32",
    example_share=0.35)

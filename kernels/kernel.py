"""`Kernel`: one TVM depthwise convolution under test, and what it supports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kernels.kinds import KINDS
from model.space import CaseSpace
from strategies.budget import nightly


@dataclass(frozen=True)
class Kernel:
    """A depthwise convolution built by TVM, called as kernel(data, weight) -> output.

    `kind` names its kernels/kinds.py object:
    - kind "te": `compute(case) -> (X, K, Y)` TE tensors, X and K of `case.input_shape` and
      `case.weight_shape` (the case's layout), Y of `case.output_shape`; any rearrangement
      a TVM operator needs is part of the compute. `schedule(sch, case, target, **options)`,
      when given, schedules it with `tvm.s_tir`; GPU targets otherwise get dlight's default.
    - kind "relax": `compute(case) -> IRModule` whose "main" takes (data, weight) and
      returns the output, run by the Relax VM.
    - `gradient` "input" or "weight": a backward kernel (kind "te") whose compute returns
      (first, grad_out, gradient), where `first` is the weight for the input gradient and
      the data for the weight gradient; it is checked against the references' gradients.
    `options(case)`, when given, is a Hypothesis strategy of knobs (tile sizes, block sizes):
    they determine the code, so they are drawn and shrunk with the case. They go to the
    schedule when there is one, else to the compute (`compute(case, **options)`).
    """

    name: str
    compute: Callable
    space: CaseSpace = field(default_factory=CaseSpace)
    description: str = ""
    kind: str = "te"
    schedule: Callable | None = None
    options: Callable | None = None
    gpu: bool = True   # may be built for GPU targets
    cpu: bool = True   # may be built for CPU targets
    unavailable: Callable | None = None  # () -> reason the kernel cannot be built in this TVM
    weight_shape: Callable | None = None  # case -> the shape main takes the weight in (a reshape)
    example_share: float = 1.0  # share of the profile's examples: < 1 for slow-to-build kernels
    generic: Callable | None = None  # shape-generic: compute(dtype) -> (X, K, Y, scalar vars);
    #                                  generic(case) -> the scalar values for a case
    gradient: str | None = None  # "input" / "weight": the gradient a backward kernel computes
    prepare: Callable | None = None  # (mod, case, options) -> the module tvm.compile gets (a pass
    #                                  pipeline); the repro applies it to the module it carries
    arguments: Callable | None = None  # ex -> {name: array} main takes, in order, when not (data, weight)
    # option -> its possible values: coverage classes (a dict: not part of the kernel's hash)
    option_classes: dict | None = field(default=None, hash=False, compare=False)
    pinned: Callable | None = None  # () -> [(name, case, options)]: the kernel's own pinned examples
    classic_pinned: bool = True  # the classic cases (strategies/pinned.py) pinned too
    # upstream code the kernel goes through before its module exists (an importer), named as
    # findings/table.py's known failures name it; what the built module shows is read from it
    reaches: tuple = ()
    nightly_targets: tuple = ()  # targets this row runs on in the nightly profile only (ci's budget)
    takes: CaseSpace | None = None  # what the compute takes beyond what the row draws (a member row of a
    #                                 family kernel): where the self-checks' follow-ups may go; None: space
    onnx_model: Callable | None = None  # (case, options) -> the ONNX model main is imported from: the
    #                                     repro embeds its bytes and imports it as the kernel did

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kernel {self.name!r}: unknown kind {self.kind!r}; the kinds are {', '.join(KINDS)}")

    def inputs(self, ex) -> tuple:
        """The arrays the kernel is called with for example `ex`."""
        if self.gradient is not None:
            return (ex.weight if self.gradient == "input" else ex.data), ex.grad_out
        if self.arguments is not None:
            return tuple(self.arguments(ex).values())
        weight = ex.weight.reshape(self.weight_shape(ex.case)) if self.weight_shape is not None else ex.weight
        return ex.data, weight

    def argument_shapes(self, case) -> tuple:
        """The shapes of (first input, second input, output) the kernel takes for `case`."""
        if self.gradient is not None:
            first, output = ((case.weight_shape, case.input_shape) if self.gradient == "input"
                             else (case.input_shape, case.weight_shape))
            return first, case.output_shape, output
        weight = tuple(self.weight_shape(case)) if self.weight_shape is not None else case.weight_shape
        return case.input_shape, weight, case.output_shape

    def why_unsupported(self, case, target=None, follow_up: bool = False) -> str | None:
        """None when this kernel can take `case` on `target` (as a self-check's follow-up: in
        `takes`), else the reason."""
        space = (self.takes or self.space) if follow_up else self.space
        if case.rank not in space.ranks:
            return f"{self.name} takes spatial rank {'/'.join(map(str, space.ranks))}, not {case.op_name}"
        if case.transposed not in space.directions:
            return f"{self.name} takes {'transposed' if case.transposed is False else 'forward'} convolutions only"
        if case.layout not in space.layouts:
            return f"{self.name} takes layouts {'/'.join(space.layouts)}, not {case.layout}"
        if case.dtype not in space.dtypes:
            return f"{self.name} takes dtypes {'/'.join(space.dtypes)}, not {case.dtype}"
        if case.multiplier > space.max_multiplier:
            return f"{self.name} takes channel multiplier <= {space.max_multiplier}"
        if max(case.dilation) > space.most_dilation(case.transposed):
            return f"{self.name} takes dilation <= {space.most_dilation(case.transposed)} ({case.op_name})"
        if not space.asymmetric_padding and not case.is_symmetric:
            return f"{self.name} takes symmetric padding only"
        if case.epilogue not in space.epilogues:
            return f"{self.name} takes the bare convolution, not the block {case.epilogue!r}" if space.epilogues == ("",) \
                else f"{self.name} takes the epilogues {', '.join(map(repr, space.epilogues))}, not {case.epilogue!r}"
        if target is not None:
            excluded = target.excluded_dtypes(self.kind)
            if case.dtype in excluded:
                return f"{target.name} does not take {case.dtype}: {excluded[case.dtype]}"
            return self.why_unsupported_target(target)
        return None

    def why_unsupported_target(self, target) -> str | None:
        """None when this kernel can be built for `target` at all (in this profile), else the reason."""
        if target.name in self.nightly_targets and not nightly():
            return f"{self.name} runs on {target.name} in the nightly profile only (the ci profile's budget)"
        if self.unavailable is not None:
            reason = self.unavailable()
            if reason:
                return reason
        if target.gpu and not self.gpu:
            return "a CPU kernel (not built for GPU targets)"
        if target.restrict(self.space, self.kind) is None:
            excluded = target.excluded_dtypes(self.kind)
            reasons = "; ".join(sorted({excluded[d] for d in self.space.dtypes}))
            return f"{target.name} takes none of {self.name}'s dtypes: {reasons}"
        if not target.gpu and not self.cpu:
            return "a GPU kernel (not built for CPU targets)"
        return None

    def supports(self, case, target=None) -> bool:
        return self.why_unsupported(case, target) is None

    def default_options(self, case) -> dict:
        """The schedule knobs for pinned examples: the simplest draw of `options(case)`."""
        if self.options is None:
            return {}
        from hypothesis import find

        return find(self.options(case), lambda _: True)

    def prim_func(self, case, options: dict | None = None):
        """The kernel's unscheduled TIR function for `case`, parameters (X, K, Y)."""
        from tvm import te

        x, k, y = self.compute(case, **(options or {}))
        return te.create_prim_func([x, k, y]).with_attr("global_symbol", "main")

    @property
    def kind_of(self):
        """The kind's object (kernels/kinds.py): what the module is and how main is called."""
        return KINDS[self.kind]

    def module(self, case, options: dict, target):
        """The IRModule to compile for `case` on `target` (`None`: no target's schedule), as the
        kernel's kind builds it. A shape-generic kernel's module depends on the case's dtype (and
        options) alone."""
        return self.kind_of.module(self, case, options, target)

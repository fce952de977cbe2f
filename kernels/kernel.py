"""`Kernel`: one TVM depthwise convolution under test, and what it supports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from strategies.cases import CaseSpace


@dataclass(frozen=True)
class Kernel:
    """A TE compute for a case: `compute(case) -> (X, K, Y)`.

    X and K are placeholders of `case.input_shape` and `case.weight_shape` (the case's
    layout), Y has `case.output_shape`; any rearrangement a TVM operator needs is part
    of the compute, so every kernel is called the same way.
    """

    name: str
    compute: Callable
    space: CaseSpace = field(default_factory=CaseSpace)
    description: str = ""
    gpu: bool = True  # whether it may be built for GPU targets (with a default schedule)

    def why_unsupported(self, case, target=None) -> str | None:
        """None when this kernel can take `case` on `target`, else the reason."""
        space = self.space
        if case.layout not in space.layouts:
            return f"{self.name} takes layouts {'/'.join(space.layouts)}, not {case.layout}"
        if case.dtype not in space.dtypes:
            return f"{self.name} takes dtypes {'/'.join(space.dtypes)}, not {case.dtype}"
        if case.multiplier > space.max_multiplier:
            return f"{self.name} takes channel multiplier <= {space.max_multiplier}"
        if max(case.dilation) > space.max_dilation:
            return f"{self.name} takes dilation <= {space.max_dilation}"
        if not space.asymmetric_padding and not case.is_symmetric:
            return f"{self.name} takes symmetric padding only"
        if target is not None:
            return self.why_unsupported_target(target)
        return None

    def why_unsupported_target(self, target) -> str | None:
        """None when this kernel can be built for `target` at all, else the reason."""
        if target.gpu and not self.gpu:
            return f"{self.name} has no GPU schedule"
        return None

    def supports(self, case, target=None) -> bool:
        return self.why_unsupported(case, target) is None

    def prim_func(self, case):
        """The kernel's TIR function for `case`, parameters (X, K, Y)."""
        from tvm import te

        x, k, y = self.compute(case)
        return te.create_prim_func([x, k, y]).with_attr("global_symbol", "main")

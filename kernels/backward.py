"""TOPI's depthwise backward kernels (NHWC): gradients with respect to the input and the weight."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from kernels.guarded import KernelArgs


@dataclass(frozen=True)
class BackwardKernel:
    """One backward kernel built for a case: kernel(first, grad_out) -> gradient, where `first`
    is the weight for the input gradient ("input") and the data for the weight gradient."""

    which: str  # "input" or "weight"
    case: object
    target: object
    function: object
    script: str  # TVMScript of the compiled module (the repro script rebuilds from it)

    @property
    def name(self) -> str:
        return f"topi_backward_{self.which}_nhwc"

    @property
    def description(self) -> str:
        return f"TOPI depthwise_conv2d_backward_{self.which}_nhwc (gradient with respect to the {self.which})"

    @property
    def output_shape(self) -> tuple:
        return self.case.input_shape if self.which == "input" else self.case.weight_shape

    def __call__(self, first, grad_out):
        args = KernelArgs((first, grad_out), self.target.device(), (self.output_shape, self.case.dtype))
        self.function(*args.tensors)
        return args.result()


@functools.lru_cache(maxsize=256)
def build_backward(case, target) -> tuple[BackwardKernel, BackwardKernel]:
    """(grad_input(weight, grad_out), grad_weight(data, grad_out)) built for `case` on `target`."""
    from tvm import te, topi

    g = te.placeholder(case.output_shape, case.dtype, name="grad_out")
    w = te.placeholder(case.weight_shape, case.dtype, name="weight")
    x = te.placeholder(case.input_shape, case.dtype, name="data")
    grad_input = topi.nn.depthwise_conv2d_backward_input_nhwc(
        w, g, case.output_shape, case.input_shape, case.stride, case.padding)
    grad_weight = topi.nn.depthwise_conv2d_backward_weight_nhwc(
        x, g, case.output_shape, case.weight_shape, case.stride, case.padding)

    return (compile_backward("input", case, target, (w, g, grad_input)),
            compile_backward("weight", case, target, (x, g, grad_weight)))


def compile_backward(which: str, case, target, tensors) -> BackwardKernel:
    """Compile TE tensors (first input, grad_out, gradient) into a BackwardKernel."""
    import tvm
    from tvm import te

    module = tvm.IRModule({"main": te.create_prim_func(list(tensors))})
    function = tvm.compile(module, target=target.tvm_target()).jit()["main"]
    return BackwardKernel(which, case, target, function, module.script())

"""TOPI's depthwise backward kernels (NHWC): gradients with respect to the input and the weight."""
from __future__ import annotations

import functools

from kernels.guarded import OutputTensor, input_tensor


def _compile(tensors, target):
    import tvm
    from tvm import te

    return tvm.compile(te.create_prim_func(list(tensors)), target=target.tvm_target()).jit()["main"]


@functools.lru_cache(maxsize=256)
def build_backward(case, target):
    """(grad_input(weight, grad_out), grad_weight(data, grad_out)) built for `case` on `target`."""
    from tvm import te, topi

    g = te.placeholder(case.output_shape, case.dtype, name="grad_out")
    w = te.placeholder(case.weight_shape, case.dtype, name="weight")
    x = te.placeholder(case.input_shape, case.dtype, name="data")
    grad_input = topi.nn.depthwise_conv2d_backward_input_nhwc(
        w, g, case.output_shape, case.input_shape, case.stride, case.padding)
    grad_weight = topi.nn.depthwise_conv2d_backward_weight_nhwc(
        x, g, case.output_shape, case.weight_shape, case.stride, case.padding)
    input_fn = _compile((w, g, grad_input), target)
    weight_fn = _compile((x, g, grad_weight), target)

    def run(fn, a, b, shape):
        dev = target.device()
        out = OutputTensor(shape, case.dtype, dev)
        fn(input_tensor(a, dev), input_tensor(b, dev), out.tensor)
        return out.result()

    return (lambda weight, grad_out: run(input_fn, weight, grad_out, case.input_shape),
            lambda data, grad_out: run(weight_fn, data, grad_out, case.weight_shape))

"""Gradients through Relax's own autodiff (`relax.transform.Gradient`), for every member of the
family: the member's convolution inside the loss sum(conv(data, weight) * grad_out), differentiated
by TVM; its gradient with respect to the data or the weight is a row like TOPI's backward kernels
(kernels/backward.py), checked against float64 numpy and torch autograd (reference/gradients.py).

`main(first, grad_out)` takes what a gradient kernel takes (the weight for the input gradient,
the data for the weight gradient) and calls the adjoint with zeros for the other input: the
convolution is linear in each, so the gradient does not depend on it. A member whose op has no
registered gradient in this TVM is a visible skip that says so (support claim
`relax_family_gradients`)."""
from __future__ import annotations

import dataclasses
import functools

from findings.table import RELAX_GRADIENT
from kernels.family_kernels import CHANNELS_FIRST, FAMILY_SPACE, members, relax_conv, relax_weight_shape
from kernels.kernel import Kernel
from model.axis import member_name
from model.space import CaseSpace

# float32/float64: torch's CPU autograd computes them exactly as the forward reference does.
SPACE = CaseSpace(**{**FAMILY_SPACE, "dtypes": ("float32", "float64")}, layouts=CHANNELS_FIRST)


def relax_gradient(case, which: str):
    """An IRModule: "loss"(data, weight, grad_out), its "loss_adjoint" (relax.transform.Gradient
    with respect to the data or the weight, `which`), and main(first, grad_out) -> the gradient in
    the case's layout (the weight's: (C, M, *K))."""
    from tvm import relax

    bb = relax.BlockBuilder()
    x = relax.Var("data", relax.TensorType(case.input_shape, case.dtype))
    w = relax.Var("weight", relax.TensorType(relax_weight_shape(case), case.dtype))
    g = relax.Var("grad_out", relax.TensorType(case.output_shape, case.dtype))
    with bb.function("loss", [x, w, g]):
        with bb.dataflow():
            y = bb.emit(relax_conv(case, x, w))
            loss = bb.emit_output(bb.emit(relax.op.sum(relax.op.multiply(y, g))))
        bb.emit_func_output(loss)
    module = relax.transform.Gradient("loss", require_grads=x if which == "input" else w)(bb.get())
    adjoint = module.get_global_var("loss_adjoint")
    bb = relax.BlockBuilder(module)
    first_shape = case.weight_shape if which == "input" else case.input_shape
    first = relax.Var("weight" if which == "input" else "data", relax.TensorType(first_shape, case.dtype))
    grad_out = relax.Var("grad_out", relax.TensorType(case.output_shape, case.dtype))
    with bb.function("main", [first, grad_out]):
        if which == "input":
            data = bb.emit(relax.op.zeros(case.input_shape, case.dtype))
            weight = bb.emit(relax.op.reshape(first, relax_weight_shape(case)))
        else:
            data, weight = first, bb.emit(relax.op.zeros(relax_weight_shape(case), case.dtype))
        result = bb.emit(relax.Call(adjoint, [data, weight, grad_out]))
        gradient = bb.emit(relax.TupleGetItem(bb.emit(relax.TupleGetItem(result, 1)), 0))
        if which == "weight":
            gradient = bb.emit(relax.op.reshape(gradient, case.weight_shape))
        bb.emit_func_output(gradient)
    return bb.get()


def why_no_gradient(op: str) -> str | None:
    """Why a member's row cannot run: its Relax op has no registered gradient (None if it has one)."""
    import tvm

    if tvm.ir.Op.get(f"relax.nn.{op}").get_attr("FPrimalGradient") is None:
        return (f"Relax's autodiff has no gradient for relax.nn.{op} in this TVM (support claim "
                f"relax_family_gradients: a visible skip until it registers one)")
    return None


def gradient_rows(which: str) -> tuple[Kernel, ...]:
    """One row per member for the `which` gradient, each skipped where Relax has no gradient for its op."""
    # CPU targets, like TOPI's backward rows: GPU builds of the gradient modules are not tried yet.
    family = Kernel(name=f"relax_backward_{which}_family", compute=functools.partial(relax_gradient, which=which),
                    space=SPACE, kind="relax", gradient=which, gpu=False, reaches=(RELAX_GRADIENT,),
                    description=f"relax.transform.Gradient of the member's op (gradient with respect to the {which})")
    return tuple(dataclasses.replace(row, unavailable=functools.partial(
        why_no_gradient, member_name(row.space.ranks[0], row.space.directions[0]))) for row in members(family))


RELAX_GRADIENT_KERNELS = gradient_rows("input") + gradient_rows("weight")
RELAX_BACKWARD = "relax_backward"  # --kernels selects every Relax gradient row by this name

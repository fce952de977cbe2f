"""Epilogues: what follows (and precedes) a depthwise convolution in a deployed block.

A case's `epilogue` is a "+"-joined list of steps in their order in the block. MobileNetV2's
inverted residual is "expand+bn+relu6+project+residual": a pointwise (1x1) expansion, the
depthwise convolution, BatchNorm (inference form), ReLU6, a pointwise projection back to C
channels and the residual add. The residual branch is an input of the block's output shape
(the block's own input when the shapes match, in MobileNetV2).
"""
from __future__ import annotations

STEPS = ("expand", "bias", "bn", "relu", "relu6", "project", "residual")
ACTIVATIONS = ("relu", "relu6")
MOBILENET_V2 = "expand+bn+relu6+project+residual"
# What a member of the family other than the forward 2-D one draws (its frontends' bias; the
# block's other steps are 2-D layers).
FAMILY_EPILOGUES = ("", "bias")
# The epilogues strategies draw: each step alone, the usual pairs, and MobileNetV2's block.
EPILOGUES = ("", "bias", "bn", "relu", "relu6", "residual", "bias+relu", "bias+relu6", "bn+relu6",
             "bias+bn+relu6+residual", MOBILENET_V2)
# BatchNorm's epsilon: 1e-5 as float32 holds it. ONNX attributes are float32, so a model can
# only say this value; every framework and the oracle get the same one (a float64 block
# built with 1e-5 itself differs from the ONNX model's by ~1e-13: measured, 139x the bound).
BN_EPSILON = 9.999999747378752e-06
# Roundings on any path through BatchNorm in inference form, in each of the forms TVM and the
# frameworks compute it: (x - mean) / sqrt(var + eps) * gamma + beta (add, sqrt, divide,
# subtract, multiply, add: 6), x * s + (beta - mean * s) with s = gamma / sqrt(var + eps)
# (s: 3, then multiply, add: 5 on x's path, 6 on mean's), and (x - mean) * rsqrt(var + eps)
# * gamma + beta with rsqrt as sqrt then reciprocal (3 + subtract, 2 multiplies, add: 7); one
# more for epsilon itself, rounded to the dtype (relative to var + eps, at most u).
BN_ROUNDINGS = 8


def steps(epilogue: str) -> tuple[str, ...]:
    """The steps of an epilogue string ("" has none)."""
    return tuple(epilogue.split("+")) if epilogue else ()


def check_epilogue(epilogue: str) -> None:
    """ValueError unless `epilogue` lists known steps once each, in block order, one activation at most."""
    parts = steps(epilogue)
    unknown = [p for p in parts if p not in STEPS]
    if unknown:
        raise ValueError(f"unknown epilogue step {unknown[0]!r}: the steps are {'+'.join(STEPS)}")
    if list(parts) != sorted(set(parts), key=STEPS.index):
        raise ValueError(f"epilogue {epilogue!r}: steps must appear once each, in the order {'+'.join(STEPS)}")
    if sum(p in ACTIVATIONS for p in parts) > 1:
        raise ValueError(f"epilogue {epilogue!r}: one activation at most")


def parameter_shapes(case) -> dict[str, tuple]:
    """name -> shape of each array the epilogue adds to the block's inputs, in argument order.
    Per-channel vectors are of the depthwise output's channels (C*M); the residual is of the
    block's output shape in the case's layout."""
    parts = steps(case.epilogue)
    c, cm = case.channels, case.out_channels
    shapes = {}
    if "expand" in parts:
        shapes["expand_weight"] = (c, c)  # (out, in) of a 1x1 convolution
    if "bias" in parts:
        shapes["bias"] = (cm,)
    if "bn" in parts:
        shapes.update({name: (cm,) for name in ("bn_gamma", "bn_beta", "bn_mean", "bn_var")})
    if "project" in parts:
        shapes["project_weight"] = (c, cm)
    if "residual" in parts:
        shapes["residual"] = block_output_shape(case)
    return shapes


def block_output_shape(case) -> tuple:
    """The block's output shape in the case's layout: the projection maps C*M channels back to C."""
    if "project" not in steps(case.epilogue):
        return case.output_shape
    n, h, w = case.batch, case.out_height, case.out_width
    return (n, case.channels, h, w) if case.layout == "NCHW" else (n, h, w, case.channels)


def roundings_before_conv(case) -> int:
    """The roundings on a path before the depthwise convolution: the pointwise expansion's."""
    return case.channels if "expand" in steps(case.epilogue) else 0


def roundings(case) -> int:
    """The most roundings on any path from an input to an output of the block: the error
    model's n in gamma_n (reference/tolerance.py). Dot products of length n round n times
    (Higham 3.1), an add once, BatchNorm BN_ROUNDINGS times; clipping is exact."""
    parts = steps(case.epilogue)
    count = case.reduction_length + roundings_before_conv(case)
    count += 1 if "bias" in parts else 0
    count += BN_ROUNDINGS if "bn" in parts else 0
    count += case.out_channels if "project" in parts else 0
    count += 1 if "residual" in parts else 0
    return count

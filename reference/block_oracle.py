"""The oracle of a whole block: the depthwise convolution with its epilogue (model/epilogue.py)
in float64, with what the error model needs of it.

Alongside the value it carries, per output element, the two terms of the error bound
(reference/tolerance.py): the magnitude, the same block evaluated on absolute values (every
subtraction an addition, clipping left out: |clip(v)| <= |v|, and clipping is 1-Lipschitz, so it
never grows an error), and the underflow floor, how many smallest-normal numbers gradual
underflow or flush-to-zero can add: 2n for a dot product of length n, one for an add, and
BatchNorm's roundings, each carried through the later stages' absolute coefficients. Depends
on numpy and on dwconf's case model and oracle alone: the repro scripts embed it.
"""
import dataclasses

import numpy as np

from model.epilogue import BN_EPSILON, BN_ROUNDINGS, steps
from reference.numpy_oracle import numpy_reference, numpy_reference_and_magnitude


def _pointwise(values, weight):
    """A 1x1 convolution of NCHW `values` with an (out, in) weight."""
    return np.einsum("oc,nchw->nohw", weight, values)


def _per_channel(vector, rank: int = 2):
    """A per-channel vector shaped to broadcast over a channels-first output of `rank` spatial axes."""
    return np.asarray(vector, dtype=np.float64).reshape(1, -1, *[1] * rank)


def numpy_block(case, arrays):
    """(output, magnitude, underflow floor) of the case's block on `arrays` (data, weight and
    the epilogue's, by name, in the case's layout), each in the case's layout; the floor is
    None for the bare convolution (the error model's 2L) and integer cases (computed exactly)."""
    parts = steps(case.epilogue)
    if not parts:  # the bare convolution: every example of most rows, so one pass and no copies
        value, magnitude = numpy_reference_and_magnitude(case, arrays["data"], arrays["weight"])
        return value, magnitude, None
    conv = dataclasses.replace(case, epilogue="")
    if "expand" in parts:  # everything from here on is NCHW, converted back at the end
        x, w = case.to_canonical(np.asarray(arrays["data"], dtype=np.float64), arrays["weight"])
        expand = np.asarray(arrays["expand_weight"], dtype=np.float64)
        conv = dataclasses.replace(conv, layout="NCHW")
        stage = (_pointwise(x, expand), _pointwise(np.abs(x), np.abs(expand)), np.full(x.shape, 2.0 * case.channels))
        value, magnitude, floor = (numpy_reference(conv, a, b) for a, b in zip(stage, (w, np.abs(w), np.abs(w))))
        floor = floor + 2.0 * case.reduction_length
    else:
        value, magnitude = (output_nchw(case, a)
                            for a in numpy_reference_and_magnitude(conv, arrays["data"], arrays["weight"]))
        floor = np.full(value.shape, 2.0 * case.reduction_length)
    if "bias" in parts:
        bias = _per_channel(arrays["bias"], case.rank)
        value, magnitude, floor = value + bias, magnitude + np.abs(bias), floor + 1
    if "bn" in parts:
        gamma, beta, mean, var = (_per_channel(arrays[f"bn_{n}"]) for n in ("gamma", "beta", "mean", "var"))
        scale = gamma / np.sqrt(var + BN_EPSILON)
        value = (value - mean) * scale + beta
        magnitude = (magnitude + np.abs(mean)) * np.abs(scale) + np.abs(beta)
        floor = floor * np.abs(scale) + BN_ROUNDINGS
    if "relu" in parts:
        value = np.maximum(value, 0.0)
    if "relu6" in parts:
        value = np.clip(value, 0.0, 6.0)
    if "project" in parts:
        project = np.asarray(arrays["project_weight"], dtype=np.float64)
        value, magnitude = _pointwise(value, project), _pointwise(magnitude, np.abs(project))
        floor = _pointwise(floor, np.abs(project)) + 2.0 * case.out_channels
    if "residual" in parts:
        residual = output_nchw(case, np.asarray(arrays["residual"], dtype=np.float64))
        value, magnitude, floor = value + residual, magnitude + np.abs(residual), floor + 1
    back = case.from_canonical_output
    return back(value), back(magnitude), back(floor)


def output_nchw(case, out):
    """An output in the case's layout as channels first (NCHW in 2-D)."""
    return case.to_canonical_output(np.asarray(out))

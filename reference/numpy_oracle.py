"""The oracle: a depthwise convolution in float64 numpy, vectorised over pixels.

It depends on numpy and the case model alone, so the repro scripts embed its source as it is.
Integer cases are computed in int64: exact, as the int32 accumulator must be. The border is
padded as the case's padding_mode says (numpy.pad's constant, reflect, edge or wrap).
"""
import itertools

import numpy as np

from model.axis import crop_transposed
from model.case import PADDING_MODES


def numpy_reference(case, data, weight):
    """Exact-as-float64 depthwise convolution of `data` with `weight`, in the case's layout:
    forward, or transposed (the scatter it is), at any spatial rank.

    Loops run over the kernel taps only; each tap is one strided slice of the padded input
    (forward) or of the uncropped output (transposed) times one weight per output channel.
    """
    exact = np.int64 if case.is_integer else np.float64
    x, w = case.to_canonical(np.asarray(data, dtype=exact), np.asarray(weight, dtype=exact))
    # (N, C, 1, *S) against (C, M) weights broadcasts to (N, C, M, *S'): output channel
    # c*M + m reads (forward) or writes (transposed) input channel c, as torch's groups=C.
    x = x[:, :, None]
    w = w.reshape(*w.shape, *([1] * case.rank))  # (C, M, *K, 1...) : one (C, M, 1...) block per tap
    if case.transposed:
        out = _scatter(case, x, w, exact)
    else:
        out = _gather(case, x, w, exact)
    out = out.reshape(case.batch, case.out_channels, *case.out_sizes)
    return case.from_canonical_output(out)


def _taps(case):
    return itertools.product(*(range(k) for k in case.kernel))


def _gather(case, x, w, exact):
    x = np.pad(x, ((0, 0), (0, 0), (0, 0), *case.pad_pairs), mode=PADDING_MODES[case.padding_mode].numpy)
    out = np.zeros((case.batch, case.channels, case.multiplier, *case.out_sizes), dtype=exact)
    for tap in _taps(case):
        window = tuple(slice(t * a.dilation, t * a.dilation + a.stride * (o - 1) + 1, a.stride)
                       for t, a, o in zip(tap, case.axes, case.out_sizes))
        out += x[(Ellipsis, *window)] * w[(slice(None), slice(None), *tap)]
    return out


def _scatter(case, x, w, exact):
    """Input element i of an axis lands at i*stride + t*dilation of the full output, which is
    then cropped by the padding pair (output padding: zeros appended after the last element)."""
    full = tuple(a.stride * (a.size - 1) + a.dilated_kernel for a in case.axes)
    out = np.zeros((case.batch, case.channels, case.multiplier, *full), dtype=exact)
    for tap in _taps(case):
        window = tuple(slice(t * a.dilation, t * a.dilation + a.stride * (a.size - 1) + 1, a.stride)
                       for t, a in zip(tap, case.axes))
        out[(Ellipsis, *window)] += x * w[(slice(None), slice(None), *tap)]
    return crop_transposed(case.axes, out)


def numpy_reference_and_magnitude(case, data, weight):
    """The oracle's output and the error model's magnitude (the same convolution of |data|
    and |weight|) in one pass: the two, stacked along the channels, are one depthwise case."""
    import dataclasses

    exact = np.int64 if case.is_integer else np.float64
    x, w = case.to_canonical(np.asarray(data, dtype=exact), np.asarray(weight, dtype=exact))
    both = dataclasses.replace(case, channels=2 * case.channels, layout=case.canonical_layout)
    out = numpy_reference(both, np.concatenate([x, np.abs(x)], axis=1), np.concatenate([w, np.abs(w)], axis=0))
    half = case.out_channels
    return case.from_canonical_output(out[:, :half]), case.from_canonical_output(out[:, half:])

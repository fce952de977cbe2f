"""The oracle: a depthwise convolution in float64 numpy, vectorised over pixels.

It depends on numpy and the case model alone, so the repro scripts embed its source as it is.
Integer cases are computed in int64: exact, as the int32 accumulator must be. The border is
padded as the case's padding_mode says (numpy.pad's constant, reflect, edge or wrap).
"""
import numpy as np

from model.case import PADDING_MODES


def numpy_reference(case, data, weight):
    """Exact-as-float64 depthwise convolution of `data` with `weight`, in the case's layout.

    Loops run over the KH*KW kernel taps only; each tap is one strided slice of the
    padded input times one weight per output channel.
    """
    exact = np.int64 if case.is_integer else np.float64
    x, w = case.to_canonical(np.asarray(data, dtype=exact), np.asarray(weight, dtype=exact))
    x = np.pad(x, ((0, 0), (0, 0), (case.pad_top, case.pad_bottom), (case.pad_left, case.pad_right)),
               mode=PADDING_MODES[case.padding_mode])
    oh, ow = case.out_height, case.out_width
    sh, sw = case.stride
    dh, dw = case.dilation
    # (N, C, 1, H, W) against (C, M) weights broadcasts to (N, C, M, OH, OW):
    # output channel c*M + m reads input channel c, as in TOPI and torch's groups=C.
    out = np.zeros((case.batch, case.channels, case.multiplier, oh, ow), dtype=exact)
    x = x[:, :, None]
    for i in range(case.kernel_h):
        for j in range(case.kernel_w):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            out += x[:, :, :, rows, cols] * w[None, :, :, i, j, None, None]
    out = out.reshape(case.batch, case.out_channels, oh, ow)
    return case.from_canonical_output(out)


def numpy_reference_and_magnitude(case, data, weight):
    """The oracle's output and the error model's magnitude (the same convolution of |data|
    and |weight|) in one pass: the two, stacked along the channels, are one depthwise case."""
    import dataclasses

    exact = np.int64 if case.is_integer else np.float64
    x, w = case.to_canonical(np.asarray(data, dtype=exact), np.asarray(weight, dtype=exact))
    both = dataclasses.replace(case, channels=2 * case.channels, layout="NCHW")
    out = numpy_reference(both, np.concatenate([x, np.abs(x)], axis=1), np.concatenate([w, np.abs(w)], axis=0))
    half = case.out_channels
    return case.from_canonical_output(out[:, :half]), case.from_canonical_output(out[:, half:])

"""References for the gradients of a depthwise convolution, any member of the family: float64
numpy and torch autograd, and their error model.

Both take data, weight and the output gradient in the case's layouts (input_shape, weight_shape,
output_shape: NHWC data and (KH, KW, C, M) weight for TOPI's NHWC backward kernels) and return
(grad_data, grad_weight) in the same layouts.

Error model (reference/tolerance.py's dot-product bound): a grad_input element sums at most
prod(K)*M products, a grad_weight element N*prod(O) products (a transposed case's: N*prod(S));
the magnitudes are the same gradients of |data|, |weight|, |grad_out|.
"""
import itertools
import math

import numpy as np

from reference.tolerance import dot_product_bound
from reference.torch_reference import canonical_tensor, cropped, single_threaded_torch

GRADIENTS = ("input", "weight")  # index 0 and 1 of what the gradient functions return


def _windows(case, extents):
    """(tap, window): each kernel tap and the strided slice it touches on a grid (the padded
    input of a forward case, the uncropped output of a transposed one) for `extents` positions
    per axis (the output's, forward; the input's, transposed)."""
    for tap in itertools.product(*(range(k) for k in case.kernel)):
        yield tap, tuple(slice(t * a.dilation, t * a.dilation + a.stride * (n - 1) + 1, a.stride)
                         for t, a, n in zip(tap, case.axes, extents))


def _weight_tap(g, x):
    """sum over the batch and the positions of g (N, C, M, *P) times x (N, C, *P): (C, M)."""
    n, c, m = g.shape[:3]
    return np.einsum("ncmp,ncp->cm", g.reshape(n, c, m, -1), x.reshape(n, c, -1))


def numpy_gradients(case, data, weight, grad_out):
    """d(sum(grad_out * conv(data, weight))) / d(data, weight), in float64, loops over taps only.

    Every tap pairs a strided window of a grid with the small side's positions: forward, the
    padded input's window with the output; transposed, the uncropped output's window with the
    input (the output gradient placed back where the crop took the output from)."""
    x, w = case.to_canonical(np.asarray(data, np.float64), np.asarray(weight, np.float64))
    g = case.to_canonical_output(np.asarray(grad_out, np.float64))
    g = g.reshape(case.batch, case.channels, case.multiplier, *g.shape[2:])
    grad_w = np.zeros_like(w)
    if case.transposed:
        full = tuple(a.stride * (a.size - 1) + a.dilated_kernel for a in case.axes)
        grown = np.zeros((*g.shape[:3], *(n + a.output_padding for n, a in zip(full, case.axes))))
        grown[(Ellipsis, *(slice(a.pad_before, a.pad_before + n) for a, n in zip(case.axes, g.shape[3:])))] = g
        g_full = grown[(Ellipsis, *(slice(0, n) for n in full))]  # output padding: appended zeros, no input
        grad_x = np.zeros_like(x)
        for tap, window in _windows(case, case.sizes):
            part = g_full[(Ellipsis, *window)]
            grad_x += np.einsum("ncm...,cm->nc...", part, w[(slice(None), slice(None), *tap)])
            grad_w[(slice(None), slice(None), *tap)] = _weight_tap(part, x)
    else:
        xp = np.pad(x, ((0, 0), (0, 0), *case.pad_pairs))
        grad_xp = np.zeros_like(xp)
        for tap, window in _windows(case, case.out_sizes):
            grad_xp[(Ellipsis, *window)] += np.einsum("ncm...,cm->nc...", g, w[(slice(None), slice(None), *tap)])
            grad_w[(slice(None), slice(None), *tap)] = _weight_tap(g, xp[(Ellipsis, *window)])
        grad_x = grad_xp[(Ellipsis, *(slice(lo, lo + a.size) for (lo, _), a in zip(case.pad_pairs, case.axes)))]
    return case.from_canonical(grad_x, grad_w)


def torch_gradients(case, data, weight, grad_out):
    """The same gradients by torch autograd through `conv{r}d(groups=C)` of the padded input (or
    `conv_transpose{r}d` uncropped, then output padding and crop), in the case's dtype, torch on
    one thread as the forward reference, oneDNN off: its AVX2 1x1 backward-weights kernel writes
    out of bounds and corrupts the heap of the process
    (findings/torch-onednn-1x1-backward-weights.md)."""
    torch = single_threaded_torch()
    import torch.nn.functional as F

    x, w = (canonical_tensor(a).requires_grad_() for a in case.to_canonical(data, weight))
    g = canonical_tensor(case.to_canonical_output(grad_out))
    how = dict(stride=case.stride, dilation=case.dilation, groups=case.channels)
    with torch.enable_grad(), torch.backends.mkldnn.flags(enabled=False):
        if case.transposed:
            y = cropped(getattr(F, f"conv_transpose{case.rank}d")(x, w, **how), case)
        else:
            y = getattr(F, case.op_name)(F.pad(x, case.torch_pad), w.reshape(case.out_channels, 1, *case.kernel), **how)
        grad_x, grad_w = torch.autograd.grad(y, (x, w), g)
    return case.from_canonical(grad_x.numpy(), grad_w.numpy())


def gradient_length(case, which: str) -> int:
    """Products summed into one element of the `which` gradient: the error model's L."""
    if which == "input":
        return math.prod(case.kernel) * case.multiplier
    return case.batch * math.prod(case.sizes if case.transposed else case.out_sizes)


def gradient_magnitude(case, which: str, data, weight, grad_out) -> np.ndarray:
    """The error model's magnitude of the `which` gradient: the same gradient of |data|, |weight|, |grad_out|."""
    return numpy_gradients(case, np.abs(data), np.abs(weight), np.abs(grad_out))[GRADIENTS.index(which)]


def gradient_bound(case, which: str, magnitude, kernel_dtype: str, reference_dtype: str) -> np.ndarray:
    """Per-element bound for the `which` gradient computed in `kernel_dtype` against a
    reference computing in `reference_dtype`."""
    return dot_product_bound(gradient_length(case, which), magnitude, kernel_dtype, reference_dtype)

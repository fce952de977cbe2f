"""References for the gradients of a depthwise convolution: float64 numpy and torch autograd,
and their error model.

Both take NHWC data, HWOI weight (KH, KW, C, M) and the output gradient in NHWC, the layouts
TOPI's backward kernels use, and return (grad_data, grad_weight) in the same layouts.

Error model (reference/tolerance.py's dot-product bound): a grad_input element sums at most
KH*KW*M products, a grad_weight element N*OH*OW products; the magnitudes are the same
gradients of |data|, |weight|, |grad_out|.
"""
import numpy as np

from reference.tolerance import dot_product_bound
from reference.torch_reference import canonical_tensor, single_threaded_torch

GRADIENTS = ("input", "weight")  # index 0 and 1 of what the gradient functions return


def _taps(case):
    oh, ow = case.out_height, case.out_width
    for i in range(case.kernel_h):
        for j in range(case.kernel_w):
            rows = slice(i * case.dilation_h, i * case.dilation_h + case.stride_h * (oh - 1) + 1, case.stride_h)
            cols = slice(j * case.dilation_w, j * case.dilation_w + case.stride_w * (ow - 1) + 1, case.stride_w)
            yield i, j, rows, cols


def numpy_gradients(case, data, weight, grad_out):
    """d(sum(grad_out * conv(data, weight))) / d(data, weight), in float64, loops over taps only."""
    x = np.asarray(data, np.float64)
    w = np.asarray(weight, np.float64)
    g = np.asarray(grad_out, np.float64).reshape(case.batch, case.out_height, case.out_width,
                                                  case.channels, case.multiplier)
    pads = ((0, 0), (case.pad_top, case.pad_bottom), (case.pad_left, case.pad_right), (0, 0))
    xp = np.pad(x, pads)
    grad_xp = np.zeros_like(xp)
    grad_w = np.zeros_like(w)
    for i, j, rows, cols in _taps(case):
        # (N, OH, OW, C, M) * (C, M) summed over M -> contribution to the padded input grid
        grad_xp[:, rows, cols, :] += np.einsum("nhwcm,cm->nhwc", g, w[i, j])
        grad_w[i, j] = np.einsum("nhwcm,nhwc->cm", g, xp[:, rows, cols, :])
    grad_x = grad_xp[:, case.pad_top:case.pad_top + case.height, case.pad_left:case.pad_left + case.width, :]
    return grad_x, grad_w


def torch_gradients(case, data, weight, grad_out):
    """The same gradients by torch's convolution backward kernels (torch.nn.grad: the
    aten::convolution_backward that autograd calls) for conv2d(groups=C) of the padded input, in
    the case's dtype, torch on one thread as the forward reference, oneDNN off: its AVX2 1x1
    backward-weights kernel writes out of bounds and corrupts the heap of the process
    (findings/torch-onednn-1x1-backward-weights.md)."""
    torch = single_threaded_torch()
    from torch.nn.grad import conv2d_input, conv2d_weight

    x = canonical_tensor(data.transpose(0, 3, 1, 2))
    w = canonical_tensor(weight.transpose(2, 3, 0, 1)).reshape(case.out_channels, 1, case.kernel_h, case.kernel_w)
    g = canonical_tensor(grad_out.transpose(0, 3, 1, 2))
    padded = torch.nn.functional.pad(x, case.torch_pad)
    how = dict(stride=case.stride, padding=0, dilation=case.dilation, groups=case.channels)
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False):
        grad_padded = conv2d_input(padded.shape, w, g, **how)
        grad_w = conv2d_weight(padded, w.shape, g, **how)
    grad_x = grad_padded[:, :, case.pad_top:case.pad_top + case.height, case.pad_left:case.pad_left + case.width]
    grad_w = grad_w.reshape(case.channels, case.multiplier, case.kernel_h, case.kernel_w)
    return grad_x.numpy().transpose(0, 2, 3, 1), grad_w.numpy().transpose(2, 3, 0, 1)


def gradient_length(case, which: str) -> int:
    """Products summed into one element of the `which` gradient: the error model's L."""
    if which == "input":
        return case.kernel_h * case.kernel_w * case.multiplier
    return case.batch * case.out_height * case.out_width


def gradient_magnitude(case, which: str, data, weight, grad_out) -> np.ndarray:
    """The error model's magnitude of the `which` gradient: the same gradient of |data|, |weight|, |grad_out|."""
    return numpy_gradients(case, np.abs(data), np.abs(weight), np.abs(grad_out))[GRADIENTS.index(which)]


def gradient_bound(case, which: str, magnitude, kernel_dtype: str, reference_dtype: str) -> np.ndarray:
    """Per-element bound for the `which` gradient computed in `kernel_dtype` against a
    reference computing in `reference_dtype`."""
    return dot_product_bound(gradient_length(case, which), magnitude, kernel_dtype, reference_dtype)

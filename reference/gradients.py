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
from reference.torch_reference import single_threaded_torch

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
    """The same gradients by torch autograd through F.pad + conv2d(groups=C), in the case's dtype
    (torch on one thread, as the forward reference: reference/torch_reference.py)."""
    import torch.nn.functional as F

    torch = single_threaded_torch()
    x = torch.from_numpy(np.ascontiguousarray(data.transpose(0, 3, 1, 2))).requires_grad_()
    w = torch.from_numpy(np.ascontiguousarray(weight.transpose(2, 3, 0, 1))).requires_grad_()
    y = F.conv2d(F.pad(x, case.torch_pad), w.reshape(case.out_channels, 1, case.kernel_h, case.kernel_w),
                 stride=case.stride, dilation=case.dilation, groups=case.channels)
    y.backward(torch.from_numpy(np.ascontiguousarray(grad_out.transpose(0, 3, 1, 2))))
    return x.grad.numpy().transpose(0, 2, 3, 1), w.grad.numpy().transpose(2, 3, 0, 1)


def gradient_length(case, which: str) -> int:
    """Products summed into one element of the `which` gradient: the error model's L."""
    if which == "input":
        return case.kernel_h * case.kernel_w * case.multiplier
    return case.batch * case.out_height * case.out_width


def gradient_magnitude(case, which: str, data, weight, grad_out) -> np.ndarray:
    """The error model's magnitude of the `which` gradient: the same gradient of |data|, |weight|, |grad_out|."""
    return numpy_gradients(case, np.abs(data), np.abs(weight), np.abs(grad_out))[GRADIENTS.index(which)]


def gradient_bound(case, which: str, magnitude, reference_dtype: str) -> np.ndarray:
    """Per-element bound for the `which` gradient against a reference computing in `reference_dtype`."""
    return dot_product_bound(gradient_length(case, which), magnitude, case.dtype, reference_dtype)

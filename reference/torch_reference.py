"""PyTorch as a reference: `conv{1,2,3}d(groups=C)`, asymmetric padding (in every padding mode) through
`F.pad`; `conv_transpose{1,2,3}d(groups=C)`, asymmetric padding as a crop of its unpadded output.

torch's CPU convolution goes through oneDNN, whose kernels depend on the host's instruction set;
two of them compute wrong results (reports/findings, both host-independent xfails):
- on AVX-512, an input whose size-1 axis has a channels-last-looking stride
  (findings/torch-onednn-avx512-size1-strides.md): the reference hands torch tensors with the
  canonical strides of a fresh C-order copy (`canonical_tensor`), never a view;
- with AMX, bfloat16 depthwise convolutions (findings/torch-onednn-amx-bfloat16.md): bfloat16 runs
  with oneDNN off (`torch_convolution_context`), on torch's own kernels, right on any host.
"""
import contextlib
import functools
import warnings

import numpy as np

from model.case import PADDING_MODES
from model.epilogue import BN_EPSILON, steps


@functools.lru_cache(maxsize=None)
def single_threaded_torch():
    """torch, on one thread: the suite's convolutions are small, and handing them to the
    intra-op thread pool costs more than it saves (0.29 -> 0.22 ms a call, measured)."""
    import torch

    torch.set_num_threads(1)
    return torch


def canonical_tensor(array, dtype=None):
    """A torch tensor of `array`'s values with the strides of a fresh C-order array: not a view
    (np.ascontiguousarray keeps any stride of a size-1 axis, and torch.from_numpy keeps it too)."""
    torch = single_threaded_torch()
    return torch.from_numpy(np.array(array, dtype=dtype, order="C", copy=True))


def torch_convolution_context(dtype: str):
    """Where torch's convolution runs for `dtype`: oneDNN off for bfloat16 (its AMX kernels are
    wrong: findings/torch-onednn-amx-bfloat16.md), torch's default otherwise."""
    torch = single_threaded_torch()
    if dtype != "bfloat16":
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    # torch warns that oneDNN's TF32 flag concerns Intel GPUs whenever the flags are set
    stack.enter_context(warnings.catch_warnings())
    warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")
    stack.enter_context(torch.backends.mkldnn.flags(enabled=False))
    return stack


def torch_reference(case, data, weight, **extras):
    """Depthwise convolution by `torch.nn.functional.conv{r}d` (or `conv_transpose{r}d`), and its epilogue (model/epilogue.py)
    by torch's own ops (conv2d 1x1, batch_norm in eval form, relu, relu6), computed in the
    case's dtype; integer cases in float64, which holds their int32 sums exactly."""
    torch = single_threaded_torch()
    import torch.nn.functional as F

    parts = steps(case.epilogue)
    dtype = torch.float64 if case.is_integer else getattr(torch, case.dtype)

    def tensor(array):
        # torch.from_numpy has no ml_dtypes bfloat16: go through float32, which holds it exactly.
        wide = np.float64 if case.is_integer else np.float32 if case.dtype == "bfloat16" else None
        return canonical_tensor(array, wide).to(dtype)

    x, w = (tensor(a) for a in case.to_canonical(data, weight))
    with torch.no_grad(), torch_convolution_context(case.dtype):
        if case.transposed:
            out = cropped(uncropped(x, w, case), case)
        else:
            w = w.reshape(case.out_channels, 1, *case.kernel)
            if "expand" in parts:
                x = F.conv2d(x, tensor(extras["expand_weight"][:, :, None, None]))
            conv = getattr(F, case.op_name)
            out = conv(pad(x, case), w, stride=case.stride, padding=0, dilation=case.dilation, groups=case.channels)
        if "bias" in parts:
            out = out + tensor(extras["bias"]).reshape(1, -1, *[1] * case.rank)
        if "bn" in parts:
            gamma, beta, mean, var = (tensor(extras[f"bn_{n}"]) for n in ("gamma", "beta", "mean", "var"))
            out = F.batch_norm(out, mean, var, gamma, beta, training=False, eps=BN_EPSILON)
        if "relu" in parts:
            out = F.relu(out)
        if "relu6" in parts:
            out = F.relu6(out)
        if "project" in parts:
            out = F.conv2d(out, tensor(extras["project_weight"][:, :, None, None]))
        if "residual" in parts:
            residual = np.asarray(extras["residual"])
            out = out + tensor(residual if case.layout == "NCHW" else residual.transpose(0, 3, 1, 2))
    return case.from_canonical_output(output_array(case, out))


def output_array(case, out):
    """A torch output as a numpy array of the case's output dtype (bfloat16 through float32)."""
    return out.float().numpy().astype(case.dtype) if case.dtype == "bfloat16" else out.numpy()


def uncropped(x, w, case):
    """`conv_transpose{r}d(groups=C)` with weight (C, M, *K), as torch takes it, uncropped
    (padding 0): torch pads both sides of an axis alike, so the case's pads crop it afterwards
    (model/axis.py crop_transposed, output padding placed as torch places it)."""
    import torch.nn.functional as F

    conv = getattr(F, f"conv_transpose{case.rank}d")
    return conv(x, w, stride=case.stride, padding=0, output_padding=0, dilation=case.dilation, groups=case.channels)


def cropped(full, case):
    """A transposed convolution's output from its uncropped one, in torch (model/axis.py
    crop_transposed's rule): the output padding's zeros appended, then the pads cropped."""
    import torch.nn.functional as F

    grown = F.pad(full, tuple(p for a in reversed(case.axes) for p in (0, a.output_padding)))
    return grown[(Ellipsis, *(slice(a.pad_before, a.pad_before + n) for a, n in zip(case.axes, case.out_sizes)))]


def pad(x, case):
    """`x` (channels first) padded as the case says, by `F.pad`."""
    import torch.nn.functional as F

    return F.pad(x, case.torch_pad, mode=PADDING_MODES[case.padding_mode].torch)


def torch_on_invalid(conv) -> str:
    """What torch's conv{r}d / conv_transpose{r}d does with an invalid convolution
    (model/invalid.py), in one line. A negative padding goes to torch's own padding argument
    (F.pad would crop); a transposed convolution's pads, which torch takes symmetric only, as
    torch's padding (the smaller of the pair) and a crop of the rest."""
    torch = single_threaded_torch()
    import torch.nn.functional as F

    rank = conv.rank
    befores, afters = conv.padding[:rank], conv.padding[rank:]
    symmetric = tuple(min(b, a) for b, a in zip(befores, afters))
    try:
        x = torch.ones(conv.data_shape, dtype=getattr(torch, conv.data_dtype))
        w = torch.ones(conv.grouped_weight_shape, dtype=getattr(torch, conv.weight_dtype))
        how = dict(stride=conv.stride, dilation=conv.dilation, groups=conv.groups)
        with torch.no_grad():
            if conv.transposed:
                out = getattr(F, f"conv_transpose{rank}d")(x, w, padding=symmetric, output_padding=conv.output_padding,
                                                           **how)
                rest = [(b - low, a - low) for b, a, low in zip(befores, afters, symmetric)]
                shape = (*out.shape[:2], *(size - b - a for (b, a), size in zip(rest, out.shape[2:])))
                if min(shape) <= 0:
                    return f"torch's output, cropped by the rest of the asymmetric pads, is empty: {shape}"
                out = out[(Ellipsis, *(slice(b, size - a) for (b, a), size in zip(rest, out.shape[2:])))]
            elif min(conv.padding) < 0:  # F.pad would crop: ask conv{r}d itself about negative padding
                out = getattr(F, f"conv{rank}d")(x, w, padding=symmetric, **how)
            else:
                torch_pad = tuple(p for b, a in zip(reversed(befores), reversed(afters)) for p in (b, a))
                out = getattr(F, f"conv{rank}d")(F.pad(x, torch_pad), w, **how)
    except Exception as exc:
        lines = str(exc).strip().splitlines() or [""]
        return f"torch refuses: {type(exc).__name__}: {lines[0][:200]}"
    return f"torch returns an output of shape {tuple(out.shape)}"

"""PyTorch as a reference: `conv2d(groups=C)`, asymmetric padding through `F.pad`."""
import functools

import numpy as np


@functools.lru_cache(maxsize=None)
def _torch():
    """torch, on one thread: the suite's convolutions are small, and handing them to the
    intra-op thread pool costs more than it saves (0.29 -> 0.22 ms a call, measured)."""
    import torch

    torch.set_num_threads(1)
    return torch


def torch_reference(case, data, weight):
    """Depthwise convolution by `torch.nn.functional.conv2d`, computed in the case's dtype."""
    torch = _torch()
    import torch.nn.functional as F

    x, w = case.to_canonical(data, weight)
    dtype = getattr(torch, case.dtype)
    # torch.from_numpy has no ml_dtypes bfloat16: go through float32, which holds it exactly.
    x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32 if case.dtype == "bfloat16" else None)).to(dtype)
    w = torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32 if case.dtype == "bfloat16" else None)).to(dtype)
    w = w.reshape(case.out_channels, 1, case.kernel_h, case.kernel_w)
    with torch.no_grad():
        x = F.pad(x, case.torch_pad)
        out = F.conv2d(x, w, stride=case.stride, padding=0, dilation=case.dilation, groups=case.channels)
    if case.dtype == "bfloat16":
        out = out.float().numpy().astype(case.dtype)
    else:
        out = out.numpy()
    return case.from_canonical_output(out)

"""MXNet as a reference: `mx.nd.Convolution(num_group=C)`, asymmetric padding through `mx.nd.pad`."""
import os

import numpy as np

# MXNet's default engine hands each small operator to a thread pool and waits for it: about
# half of a reference call. The synchronous engine runs the same CPU operators in the
# calling thread. Set before MXNet is first imported; a user's own setting wins.
os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")
# MXNet keeps a oneDNN primitive for every shape it has seen, without limit by default: a
# suite that draws thousands of shapes grew ~30 MB per 1,000 cases (measured); bounded, ~5.
os.environ.setdefault("MXNET_MKLDNN_CACHE_NUM", "256")


def mxnet_reference(case, data, weight):
    """Depthwise convolution by `mx.nd.Convolution`, computed in the case's dtype on the CPU."""
    import mxnet as mx

    x, w = case.to_canonical(data, weight)
    # Zero-copy from private copies (np.array copies): 21 us instead of mx.nd.array's 168 us,
    # and the caller's arrays are neither shared nor made read-only.
    x = mx.nd.from_numpy(np.array(x, dtype=case.dtype, order="C"), zero_copy=True)
    w = mx.nd.from_numpy(np.array(w.reshape(case.out_channels, 1, case.kernel_h, case.kernel_w),
                                  dtype=case.dtype, order="C"), zero_copy=True)
    if any(case.padding):
        x = mx.nd.pad(x, mode="constant", pad_width=case.mxnet_pad_width, constant_value=0)
    out = mx.nd.Convolution(x, w, kernel=(case.kernel_h, case.kernel_w), stride=case.stride,
                            dilate=case.dilation, pad=(0, 0), num_filter=case.out_channels,
                            num_group=case.channels, no_bias=True)
    return case.from_canonical_output(out.asnumpy())

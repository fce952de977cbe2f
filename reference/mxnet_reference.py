"""MXNet as a reference: `mx.nd.Convolution(num_group=C)`, asymmetric padding through `mx.nd.pad`."""
import numpy as np


def mxnet_reference(case, data, weight):
    """Depthwise convolution by `mx.nd.Convolution`, computed in the case's dtype on the CPU."""
    import mxnet as mx

    x, w = case.to_canonical(data, weight)
    x = mx.nd.array(np.ascontiguousarray(x), dtype=case.dtype)
    w = mx.nd.array(np.ascontiguousarray(w).reshape(case.out_channels, 1, case.kernel_h, case.kernel_w),
                    dtype=case.dtype)
    if any(case.padding):
        x = mx.nd.pad(x, mode="constant", pad_width=case.mxnet_pad_width, constant_value=0)
    out = mx.nd.Convolution(x, w, kernel=(case.kernel_h, case.kernel_w), stride=case.stride,
                            dilate=case.dilation, pad=(0, 0), num_filter=case.out_channels,
                            num_group=case.channels, no_bias=True)
    return case.from_canonical_output(out.asnumpy())

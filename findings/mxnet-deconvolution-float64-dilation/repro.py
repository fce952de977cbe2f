"""Repro: MXNet 1.9.1's CPU Deconvolution computes float64 transposed convolutions with a dilation
and a stride above 1 wrong (its float32 path, oneDNN's, is right): input [1, 2], taps [1, 10],
stride 2, dilation 2 scatter to [1, 0, 12, 0, 20]; float64 gives [1, 0, 10, 2, 20].

Needs numpy and mxnet (a reference of dwconf's, not TVM). Exit status 1: reproduced; 0: fixed;
77: cannot run here (no mxnet).
"""
import sys

import numpy as np


def expected(x, w, stride, dilation):
    out = np.zeros((len(x) - 1) * stride + dilation * (len(w) - 1) + 1)
    for i, xi in enumerate(x):
        for t, wt in enumerate(w):
            out[i * stride + t * dilation] += xi * wt
    return out


def main() -> int:
    try:
        import mxnet as mx
    except ImportError:
        print("CANNOT RUN HERE: mxnet is not installed")
        return 77
    x, w = [1.0, 2.0], [1.0, 10.0]
    wrong = []
    for dtype in ("float32", "float64"):
        for stride, dilation in ((2, 2), (3, 2), (2, 1), (1, 2)):
            out = mx.nd.Deconvolution(mx.nd.array(np.array([[x]]), dtype=dtype), mx.nd.array(np.array([[w]]), dtype=dtype),
                                      kernel=(2,), stride=(stride,), dilate=(dilation,), pad=(0,), adj=(0,),
                                      num_filter=1, no_bias=True).asnumpy().ravel()
            want = expected(x, w, stride, dilation)
            ok = out.shape == want.shape and np.array_equal(out, want)
            print(f"{dtype} stride {stride} dilation {dilation}: {out.tolist()} (expected {want.tolist()})"
                  f"{'' if ok else '  WRONG'}")
            if not ok:
                wrong.append((dtype, stride, dilation))
    if wrong:
        print(f"REPRODUCED: {len(wrong)} wrong Deconvolution output(s): {wrong}")
        return 1
    print("NOT REPRODUCED: every Deconvolution matches the definition")
    return 0


if __name__ == "__main__":
    sys.exit(main())

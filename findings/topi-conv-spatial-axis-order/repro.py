"""Repro: relax.op.nn.conv2d (legalized by topi.nn.conv) with a layout whose W comes before
its H computes the wrong convolution: TOPI takes the spatial axes in layout-string order, so
the (H, W) kernel extents, strides, padding and dilation land on (W, H).

Needs numpy and tvm only. Exit status 1: reproduced (some variant is wrong); 0: fixed.
"""
import sys

import numpy as np
import tvm
from tvm import relax


def conv2d_module(data_shape, weight_shape, data_layout, kernel_layout, **attrs):
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType(data_shape, "float32"))
    w = relax.Var("w", relax.TensorType(weight_shape, "float32"))
    with bb.function("main", [x, w]):
        y = bb.emit(relax.op.nn.conv2d(x, w, data_layout=data_layout, kernel_layout=kernel_layout,
                                       out_layout=data_layout, **attrs))
        bb.emit_func_output(y)
    return bb.get()


def numpy_conv2d(x, w, strides, padding):
    """NCHW data, OIHW weight, groups=1, padding (top, left, bottom, right)."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[2]), (padding[1], padding[3])))
    kh, kw = w.shape[2:]
    oh = (x.shape[2] - kh) // strides[0] + 1
    ow = (x.shape[3] - kw) // strides[1] + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + strides[0] * (oh - 1) + 1:strides[0], j:j + strides[1] * (ow - 1) + 1:strides[1]]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def check(data_layout, kernel_layout, strides, padding) -> bool:
    """True when TVM agrees with numpy for a 3x4 input and a 2x1 kernel in these layouts."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, 3, 4)).astype("float32")  # NCHW
    w = rng.standard_normal((1, 1, 2, 1)).astype("float32")  # OIHW: KH=2, KW=1
    expected = numpy_conv2d(x.astype(np.float64), w.astype(np.float64), strides, padding)
    x_in = x.transpose(["NCHW".index(a) for a in data_layout])
    w_in = w.transpose(["OIHW".index(a) for a in kernel_layout])
    mod = conv2d_module(x_in.shape, w_in.shape, data_layout, kernel_layout, strides=strides, padding=padding)
    declared = tuple(int(d) for d in mod["main"].ret_ty.shape)  # what Relax's shape inference says
    vm = relax.VirtualMachine(tvm.compile(mod, target="llvm"), tvm.cpu())
    out = vm["main"](tvm.runtime.tensor(x_in), tvm.runtime.tensor(w_in)).numpy()
    back = out.transpose([data_layout.index(a) for a in "NCHW"])
    same = back.shape == expected.shape and np.allclose(back, expected, rtol=1e-5, atol=1e-5)
    print(f"data {data_layout}, kernel {kernel_layout}, strides {strides}, padding {padding}: output "
          f"{tuple(out.shape)} in {data_layout}, expected {tuple(expected.transpose([ 'NCHW'.index(a) for a in data_layout]).shape)}"
          f" (Relax declared {declared}): {'right' if same else 'WRONG'}")
    return same


def main() -> int:
    variants = [
        ("NCHW", "OIHW", (1, 1), (0, 0, 0, 0)),  # control: H before W in both
        ("NCHW", "OIWH", (1, 1), (0, 0, 0, 0)),  # kernel W before H: extents swapped
        ("NCWH", "OIHW", (1, 1), (0, 0, 0, 0)),  # data W before H: extents swapped
        ("NCWH", "OIWH", (2, 1), (1, 0, 0, 0)),  # both W before H: the extents agree, strides/padding land on W
    ]
    results = [check(*v) for v in variants]
    if not results[0]:
        print("BROKEN: the control is wrong too: a different problem, no verdict on this one")
        return 2
    if all(results):
        print("NOT REPRODUCED: every variant is right")
        return 0
    print("REPRODUCED: layouts with W before H give wrong convolutions")
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""Repro: TVM's PyTorch frontend refuses a ConvTranspose3d (torch.export's aten.convolution with
transposed=True on a 5-D input): "Unsupported transposed convolution dimensionality: 5", though
Relax has nn.conv3d_transpose and the 1-D and 2-D forms import.

Needs torch and tvm. Exit status 1: reproduced; 0: fixed (imported, compiled, and right).
"""
import sys

import numpy as np
import torch
import tvm
from tvm.relax.frontend.torch import from_exported_program


def main() -> int:
    model = torch.nn.ConvTranspose3d(2, 2, 2, stride=2, groups=2, bias=False).eval()  # depthwise, x2 upsampling
    x = torch.arange(16, dtype=torch.float32).reshape(1, 2, 2, 2, 2)
    program = torch.export.export(model, (x,))
    try:
        mod = from_exported_program(program, keep_params_as_input=False)
    except Exception as exc:
        print("REPRODUCED: the frontend refuses it:", str(exc).strip().splitlines()[-1][:200])
        return 1
    executable = tvm.compile(mod, target="llvm")
    out = tvm.relax.VirtualMachine(executable, tvm.cpu())["main"](tvm.runtime.tensor(x.numpy()))
    out = out[0] if isinstance(out, (list, tuple)) or hasattr(out, "__len__") and not hasattr(out, "numpy") else out
    with torch.no_grad():
        want = model(x).numpy()
    if out.numpy().shape != want.shape or not np.allclose(out.numpy(), want, rtol=1e-5, atol=1e-5):
        print("REPRODUCED: imported, but the output is wrong")
        return 1
    print("NOT REPRODUCED: ConvTranspose3d imports and computes right")
    return 0


if __name__ == "__main__":
    sys.exit(main())

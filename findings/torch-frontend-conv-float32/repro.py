"""Repro: TVM's PyTorch frontend (tvm.relax.frontend.torch.from_exported_program) imports every
Conv2d with out_dtype="float32", whatever the model's dtype: a float64 model's convolution is
computed and returned in float32.

Needs numpy, torch and tvm. Exit status 1: reproduced; 0: fixed.
"""
import sys

import numpy as np
import torch
import tvm
from tvm.relax.frontend.torch import from_exported_program


def main() -> int:
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(2, 4, 3, groups=2, bias=False).to(torch.float64).eval()
    x = torch.randn(1, 2, 5, 5, dtype=torch.float64)
    program = torch.export.export(conv, (x,))
    mod = from_exported_program(program, keep_params_as_input=True, unwrap_unit_return_tuple=True)
    mod = tvm.IRModule({"main": mod["main"].without_attr("params")})
    declared = mod["main"].ret_ty.dtype
    vm = tvm.relax.VirtualMachine(tvm.compile(mod, target="llvm"), tvm.cpu())
    out = vm["main"](tvm.runtime.tensor(x.numpy()), tvm.runtime.tensor(conv.weight.detach().numpy())).numpy()
    with torch.no_grad():
        expected = conv(x).numpy()
    error = float(np.abs(out.astype(np.float64) - expected).max())
    print(f"model dtype float64; imported main returns {declared}; TVM's output {out.dtype}; "
          f"max |TVM - torch| = {error:.3g} (float64 rounding: ~1e-16)")
    if declared != "float64" or out.dtype != np.float64 or error > 1e-12:
        print("REPRODUCED: the float64 convolution is imported as float32")
        return 1
    print("NOT REPRODUCED: the convolution stays float64")
    return 0


if __name__ == "__main__":
    sys.exit(main())

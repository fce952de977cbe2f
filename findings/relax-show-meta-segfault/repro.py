"""Repro: printing a Relax module that holds a constant with `script(show_meta=True)` segfaults
(in tvm::ffi::ToJSONGraph). Without show_meta the constant prints as `metadata[...][0]` and the
text cannot be parsed back, so a module with bound weights has no printable, reloadable form.

Needs numpy and tvm only. Exit status 1: reproduced (the child process crashed); 0: fixed (the
text was printed and parses back to the same module).
"""
import subprocess
import sys

import numpy as np
import tvm
from tvm import relax


def module_with_a_constant():
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((2,), "float32"))
    with bb.function("main", [x]):
        y = bb.emit(relax.op.add(x, relax.const(np.ones(2, "float32"))))
        bb.emit_func_output(y)
    return bb.get()


def main() -> int:
    if sys.argv[1:] == ["--print"]:
        mod = module_with_a_constant()
        text = mod.script(show_meta=True)
        same = tvm.ir.structural_equal(tvm.script.from_source(text), mod)
        print(f"printed {len(text)} characters; parses back to the same module: {same}")
        return 0 if same else 1
    child = subprocess.run([sys.executable, __file__, "--print"], capture_output=True, text=True)
    print(child.stdout.strip())
    if child.returncode != 0:
        crash = [line for line in child.stderr.splitlines() if "Segfault" in line or "ToJSONGraph" in line][:2]
        print(f"REPRODUCED: mod.script(show_meta=True) exited with status {child.returncode}: {'; '.join(crash)}")
        return 1
    print("not reproduced")
    return 0


if __name__ == "__main__":
    sys.exit(main())

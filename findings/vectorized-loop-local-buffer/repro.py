"""Wrong result: vectorizing a loop whose body holds a loop nest that writes a "local" buffer.

`sch.vectorize` accepts the loop, and the compiled kernel returns [[6, 6]] for x = [1, 2],
w = 3 (expected [3, 6]): both lanes appear to share one element of the local buffer.
Needs numpy + tvm. Exit status 1: reproduced. Found by dwconf
(findings/vectorized-loop-local-buffer.md).
"""
import sys

import numpy as np
import tvm
from tvm import te


def build(vectorize: bool):
    X = te.placeholder((2,), name="X")
    K = te.placeholder((1,), name="K")
    r = te.reduce_axis((0, 1), name="r")
    Y = te.compute((2,), lambda j: te.sum(X[j + r] * K[r], axis=r), name="Y")
    sch = tvm.s_tir.Schedule(te.create_prim_func([X, K, Y]))
    block = sch.get_sblock("Y")
    write_back = sch.cache_write(block, 0, "local")
    j, _ = sch.get_loops(block)
    sch.reverse_compute_at(write_back, j)
    if vectorize:
        sch.vectorize(j)  # the loop holding both the reduction and the write-back
    return tvm.compile(sch.mod, target={"kind": "llvm"}).jit()["main"]


x, w = np.array([1.0, 2.0], "float32"), np.array([3.0], "float32")
results = {}
for vectorize in (False, True):
    y = tvm.runtime.empty((2,), "float32", tvm.cpu())
    build(vectorize)(tvm.runtime.tensor(x), tvm.runtime.tensor(w), y)
    results[vectorize] = y.numpy()
    print(f"vectorize={vectorize}: {y.numpy()}  expected {x * w}")
right = np.array_equal(results[True], x * w)
print("NOT REPRODUCED: the vectorized loop is right" if right else "REPRODUCED: the vectorized loop is wrong")
sys.exit(0 if right else 1)

"""The ways into TVM an invalid convolution is tried on (model/invalid.py): each must refuse it
with a Python exception at build or call time.

Each path's `attempt(conv, target, run)` is self-contained (it imports what it needs and takes
plain dicts), so a repro script embeds its source as it is. It returns ("refused", message)
when TVM raised, ("accepted", what it did) when it built, and with `run` called, a kernel for
the input without complaint. A crash or hang is the isolation runner's to catch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from model.axis import MEMBERS
from model.invalid import DEFECTS, DILATION_DEFECTS, TRANSPOSED_ONLY

# An output this large is an "absurd allocation": refused by the harness before TVM is called.
MAX_OUTPUT_ELEMENTS = 10**8


def attempt_topi_nchw(conv: dict, target: dict, run: bool):
    """topi.nn.depthwise_conv2d_nchw, built with tvm.compile and called on arrays of the given shapes."""
    import numpy as np
    import tvm
    from tvm import te, topi

    def refused(stage, exc):
        lines = str(exc).strip().splitlines() or [""]
        return "refused", f"at {stage}: {type(exc).__name__}: {lines[-1][:300]}"

    try:
        x = te.placeholder(conv["data_shape"], conv["data_dtype"], name="X")
        k = te.placeholder(conv["weight_shape"], conv["weight_dtype"], name="K")
        y = topi.nn.depthwise_conv2d_nchw(x, k, conv["stride"], conv["padding"], conv["dilation"], conv["data_dtype"])
    except Exception as exc:
        return refused("build", exc)
    try:
        function = tvm.compile(te.create_prim_func([x, k, y]), target=tvm.target.Target(target))
    except Exception as exc:
        return refused("build", exc)
    shape = tuple(int(s) for s in y.shape)  # outside the try blocks: an error here is no refusal by TVM
    if min(shape) <= 0 or int(np.prod(shape)) > 10**8:
        return "accepted", f"compiled a kernel whose output shape is {shape}"
    if not run:
        return "accepted", f"compiled a kernel with output shape {shape}"
    dev = tvm.cpu(0) if target["kind"] in ("llvm", "c") else tvm.device(target["kind"], 0)
    arrays = [tvm.runtime.tensor(np.ones(conv["data_shape"], conv["data_dtype"]), dev),
              tvm.runtime.tensor(np.ones(conv["weight_shape"], conv["weight_dtype"]), dev),
              tvm.runtime.tensor(np.zeros(shape, conv["data_dtype"]), dev)]
    try:
        function(*arrays)
    except Exception as exc:
        return refused("call", exc)
    return "accepted", f"ran and returned an output of shape {shape}"


def attempt_seed_te_generic(conv: dict, target: dict, run: bool, _compiled={}):
    """dwconf's shape-generic seed compute (every size and parameter symbolic), compiled once per
    dtype and target in a process (`_compiled`: a build takes seconds) and called with the invalid
    arrays and parameters: its argument checks must refuse them."""
    import numpy as np
    import tvm
    from tvm import te, tirx

    def refused(stage, exc):
        lines = str(exc).strip().splitlines() or [""]
        return "refused", f"at {stage}: {type(exc).__name__}: {lines[-1][:300]}"

    dtype = conv["data_dtype"]
    n, c, h, w, m, kh, kw = (te.var(name) for name in ("n", "c", "h", "w", "m", "kh", "kw"))
    pt, pl, pb, pr, sh, sw, dh, dw = (te.var(name) for name in ("pt", "pl", "pb", "pr", "sh", "sw", "dh", "dw"))
    X = te.placeholder((n, c, h, w), dtype, name="X")
    K = te.placeholder((c, m, kh, kw), dtype, name="K")
    padded = te.compute((n, c, h + pt + pb, w + pl + pr), lambda b, q, i, j: tirx.if_then_else(
        tirx.any(i < pt, i >= h + pt, j < pl, j >= w + pl), tirx.const(0, dtype), X[b, q, i - pt, j - pl]))
    rkh, rkw = te.reduce_axis((0, kh)), te.reduce_axis((0, kw))
    Y = te.compute((n, c * m, (h + pt + pb - dh * (kh - 1) - 1) // sh + 1, (w + pl + pr - dw * (kw - 1) - 1) // sw + 1),
                   lambda b, o, i, j: te.sum(padded[b, o // m, i * sh + rkh * dh, j * sw + rkw * dw]
                                             * K[o // m, o % m, rkh, rkw], axis=[rkh, rkw]))
    key = (dtype, repr(sorted(target.items())))  # what the symbolic build depends on
    if key not in _compiled:
        try:
            _compiled[key] = tvm.compile(te.create_prim_func([X, K, Y, pt, pl, pb, pr, sh, sw, dh, dw]),
                                         target=tvm.target.Target(target))
        except Exception as exc:
            _compiled[key] = exc
    function = _compiled[key]
    if isinstance(function, Exception):
        return refused("build", function)
    if not run:
        return "accepted", "compiled (the invalid input only reaches it at call time)"
    nn, cc, hh, ww = conv["data_shape"]
    (t, left, bottom, right), (s1, s2), (d1, d2) = conv["padding"], conv["stride"], conv["dilation"]
    _, mm, khh, kww = conv["weight_shape"]
    out = [nn, cc * mm, (hh + t + bottom - d1 * (khh - 1) - 1) // s1 + 1, (ww + left + right - d2 * (kww - 1) - 1) // s2 + 1]
    if conv["defect"] == "output_shape":
        out[2] += 1  # one row more than the parameters give
    dev = tvm.cpu(0) if target["kind"] in ("llvm", "c") else tvm.device(target["kind"], 0)
    arrays = [tvm.runtime.tensor(np.ones(conv["data_shape"], dtype), dev),
              tvm.runtime.tensor(np.ones(conv["weight_shape"], conv["weight_dtype"]), dev),
              tvm.runtime.tensor(np.zeros(out, dtype), dev)]
    try:
        function(*arrays, t, left, bottom, right, s1, s2, d1, d2)
    except Exception as exc:
        return refused("call", exc)
    return "accepted", f"ran with an output array of shape {tuple(out)} and returned"


def attempt_topi_family(conv: dict, target: dict, run: bool):
    """TOPI's computes of the family's other members, as dwconf's family rows call them (groups =
    C): `group_conv1d_ncw`, `conv3d_ncdhw`, `group_conv{1,2,3}d_transpose_*` (no dilation
    parameter), built with tvm.compile and called on arrays of the given shapes."""
    import numpy as np
    import tvm
    from tvm import te, topi

    def refused(stage, exc):
        lines = str(exc).strip().splitlines() or [""]
        return "refused", f"at {stage}: {type(exc).__name__}: {lines[-1][:300]}"

    rank, groups = len(conv["data_shape"]) - 2, conv["groups"]
    dtype, stride, padding, dilation = conv["data_dtype"], conv["stride"], conv["padding"], conv["dilation"]
    weight_shape = conv["grouped_weight_shape"]
    try:
        x = te.placeholder(conv["data_shape"], dtype, name="X")
        k = te.placeholder(weight_shape, conv["weight_dtype"], name="K")
        if conv["transposed"]:
            compute = {1: topi.nn.group_conv1d_transpose_ncw, 2: topi.nn.group_conv2d_transpose_nchw,
                       3: topi.nn.group_conv3d_transpose_ncdhw}[rank]
            out_pad = conv["output_padding"]
            if rank == 1:
                stride, out_pad = stride[0], out_pad[0]
            y = compute(x, k, stride, padding, dtype, out_pad, groups)
        elif rank == 1:
            y = topi.nn.group_conv1d_ncw(x, k, stride[0], padding, dilation[0], groups, dtype)
        elif rank == 2:
            y = topi.nn.group_conv2d_nchw(x, k, stride, padding, dilation, groups, dtype)
        else:
            y = topi.nn.conv3d_ncdhw(x, k, stride, padding, dilation, groups, dtype)
    except Exception as exc:
        return refused("build", exc)
    try:
        function = tvm.compile(te.create_prim_func([x, k, y]), target=tvm.target.Target(target))
    except Exception as exc:
        return refused("build", exc)
    shape = tuple(int(s) for s in y.shape)  # outside the try blocks: an error here is no refusal by TVM
    if min(shape) <= 0 or int(np.prod(shape)) > 10**8:
        return "accepted", f"compiled a kernel whose output shape is {shape}"
    if not run:
        return "accepted", f"compiled a kernel with output shape {shape}"
    dev = tvm.cpu(0) if target["kind"] in ("llvm", "c") else tvm.device(target["kind"], 0)
    arrays = [tvm.runtime.tensor(np.ones(conv["data_shape"], dtype), dev),
              tvm.runtime.tensor(np.ones(weight_shape, conv["weight_dtype"]), dev),
              tvm.runtime.tensor(np.zeros(shape, dtype), dev)]
    try:
        function(*arrays)
    except Exception as exc:
        return refused("call", exc)
    return "accepted", f"ran and returned an output of shape {shape}"


def attempt_relax(conv: dict, target: dict, run: bool):
    """relax.op.nn.conv{1,2,3}d or conv{1,2,3}d_transpose with groups (channels first) in a Relax
    function, compiled and run by the Relax VM."""
    import numpy as np
    import tvm
    from tvm import relax

    def refused(stage, exc):
        lines = str(exc).strip().splitlines() or [""]
        return "refused", f"at {stage}: {type(exc).__name__}: {lines[-1][:300]}"

    rank = len(conv["data_shape"]) - 2
    spatial = "DHW"[3 - rank:]
    keywords = dict(strides=conv["stride"], padding=conv["padding"], dilation=conv["dilation"], groups=conv["groups"],
                    data_layout="NC" + spatial)
    if conv["transposed"]:
        keywords.update(output_padding=conv["output_padding"], kernel_layout="IO" + spatial)
    else:
        keywords.update(kernel_layout="OI" + spatial)
    op = getattr(relax.op.nn, f"conv{rank}d" + ("_transpose" if conv["transposed"] else ""))
    weight_shape = conv["grouped_weight_shape"]
    try:
        bb = relax.BlockBuilder()
        x = relax.Var("data", relax.TensorType(conv["data_shape"], conv["data_dtype"]))
        w = relax.Var("weight", relax.TensorType(weight_shape, conv["weight_dtype"]))
        with bb.function("main", [x, w]):
            with bb.dataflow():
                y = bb.emit(op(x, w, **keywords))
                out = bb.emit_output(y)
            bb.emit_func_output(out)
    except Exception as exc:
        return refused("build", exc)
    try:
        executable = tvm.compile(bb.get(), target=tvm.target.Target(target))
    except Exception as exc:
        return refused("build", exc)
    shape = tuple(int(s) for s in y.ty.shape.values)  # outside the try blocks: an error here is no refusal by TVM
    if min(shape) <= 0 or int(np.prod(shape)) > 10**8:
        return "accepted", f"compiled a module whose output shape is {shape}"
    if not run:
        return "accepted", f"compiled a module with output shape {shape}"
    dev = tvm.cpu(0) if target["kind"] in ("llvm", "c") else tvm.device(target["kind"], 0)
    vm = relax.VirtualMachine(executable, dev)
    data = tvm.runtime.tensor(np.ones(conv["data_shape"], conv["data_dtype"]), dev)
    weight = tvm.runtime.tensor(np.ones(weight_shape, conv["weight_dtype"]), dev)
    try:
        result = vm["main"](data, weight)
    except Exception as exc:
        return refused("call", exc)
    return "accepted", f"ran and returned an output of shape {tuple(result.shape)}"


@dataclass(frozen=True)
class RefusalPath:
    """A way into TVM for invalid convolutions, and the defects it is tried with."""

    name: str
    attempt: Callable
    defects: tuple
    description: str
    gpu: bool = False  # GPU targets: build-time refusals only (without a device, nothing is called)
    members: tuple = ("conv2d",)  # the members of the family it builds (model/axis.py MEMBERS)
    undilated: tuple = ()  # members whose compute has no dilation parameter
    kernels: tuple = ()  # the matrix's kernels whose op it tries (selecting one selects the path); () is its name

    @property
    def kernel_names(self) -> tuple:
        return self.kernels or (self.name,)

    def members_for(self, defect: str) -> tuple:
        """The members `defect` can be given on this path (output padding: transposed only;
        a dilation defect: where the compute takes a dilation)."""
        return tuple(m for m in self.members if (defect not in TRANSPOSED_ONLY or m.endswith("_transpose"))
                     and not (defect in DILATION_DEFECTS and m in self.undilated))


FORWARD_2D = tuple(d for d in DEFECTS if d not in TRANSPOSED_ONLY)
FAMILY = tuple(m for m in MEMBERS if m != "conv2d")  # conv2d: the two paths above
REFUSAL_PATHS = {p.name: p for p in (
    RefusalPath("topi_nchw", attempt_topi_nchw,
                tuple(d for d in FORWARD_2D if d not in ("groups_not_dividing", "output_shape")),
                "topi.nn.depthwise_conv2d_nchw"),
    RefusalPath("relax_conv2d", attempt_relax, tuple(d for d in FORWARD_2D if d != "output_shape"),
                "relax.op.nn.conv2d with groups"),
    RefusalPath("topi_family", attempt_topi_family, tuple(d for d in DEFECTS if d != "output_shape"),
                "TOPI's group_conv1d_ncw, conv3d_ncdhw and group_conv{1,2,3}d_transpose_* (groups = C)",
                members=FAMILY, undilated=tuple(m for m in FAMILY if m.endswith("_transpose")),
                kernels=tuple(f"topi_{m}" for m in FAMILY)),
    RefusalPath("relax_family", attempt_relax, tuple(d for d in DEFECTS if d != "output_shape"),
                "relax.op.nn.conv1d/conv3d and conv{1,2,3}d_transpose with groups", members=FAMILY,
                kernels=tuple(f"relax_{m}" for m in FAMILY)),
    RefusalPath("seed_te_generic", attempt_seed_te_generic,
                ("weight_channels", "mixed_dtypes", "output_shape"),
                "the shape-generic kernel, checked at call time"),
)}

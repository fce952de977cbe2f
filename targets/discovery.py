"""Target discovery: which TVM targets can build, and which can also run, kernels here.

Nothing is hard-coded as present: each known target is probed at start-up. A target
can be unavailable (no code generator, no compiler: a visible skip with its reason),
compile-only (code is generated and compiled, e.g. CUDA with nvcc but no GPU: rows
report "compiled, not run"), or runnable.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import shutil
from dataclasses import dataclass, field
from typing import Callable

from findings.table import excluded_dtypes
from model.selection import select_named
from strategies.budget import COMPILE_ONLY_SHARE
from targets.cpu import host_mcpu, mcpu_features, missing_on_host


@dataclass(frozen=True)
class Target:
    """A TVM target plus the device its kernels run on."""

    name: str
    spec: dict = field(hash=False, compare=False)
    device_kind: str = "cpu"
    gpu: bool = False
    why_unavailable: str | None = None  # cannot even build
    why_not_runnable: str | None = None  # builds, but there is no device to run on
    rpc: tuple | None = None  # (tracker host, port, device key) of a remote device (targets/rpc.py)
    # A remote device that runs the code of a local target draws that target's examples (the
    # same Hypothesis seed and example database): its rows are then comparable one to one.
    examples_from: str | None = None
    opt_level: int | None = None  # tvm.compile under PassContext(opt_level=...); None: TVM's default
    example_share: float = 1.0  # of the profile's examples outside nightly (TargetSpec's; compile-only GPU: less)

    @property
    def build_spec(self) -> dict:
        """What of the target determines the code (the build cache's key)."""
        return self.spec if self.opt_level is None else {**self.spec, "opt_level": self.opt_level}

    @property
    def examples_key(self) -> str:
        return self.examples_from or self.name

    def excluded_dtypes(self, kernel_kind: str) -> dict:
        """dtype -> reason, for the dtypes kernels of `kernel_kind` are not tested in here
        (findings/table.py's exclusions, applied to this target's kind and mcpu)."""
        return excluded_dtypes(self.spec.get("kind"), kernel_kind, llvm_mcpu_features(self.spec))

    def restrict(self, space, kernel_kind: str = "te"):
        """A kernel's case space without the dtypes excluded here (None if none is left)."""
        excluded = self.excluded_dtypes(kernel_kind)
        dtypes = tuple(d for d in space.dtypes if d not in excluded)
        return dataclasses.replace(space, dtypes=dtypes) if dtypes else None

    @property
    def available(self) -> bool:
        return self.why_unavailable is None

    @property
    def runnable(self) -> bool:
        return self.available and self.why_not_runnable is None

    def tvm_target(self):
        import tvm

        return tvm.target.Target(self.spec)

    def device(self):
        """This machine's device for the target (a remote target's is its session's: targets/rpc.py)."""
        import tvm

        return tvm.device(self.device_kind, 0)


def llvm_mcpu_features(spec: dict) -> frozenset:
    """The instruction-set features of an x86-64 llvm target's mcpu (empty for any other)."""
    if spec.get("kind") != "llvm" or not spec.get("mcpu"):
        return frozenset()
    if not str(spec.get("mtriple", "x86_64")).startswith("x86_64"):
        return frozenset()
    return mcpu_features(spec["mcpu"])


# ---- probes: each returns (why_unavailable, why_not_runnable, spec overrides) --------------
def _probe_llvm(mcpu: str | None = None):
    import tvm
    from tvm.target import codegen

    if not tvm.runtime.enabled("llvm"):
        return "this TVM build has no LLVM code generator", None, {}
    if mcpu == "native":
        mcpu = host_mcpu()
    elif mcpu is not None:
        host = codegen.llvm_get_system_triple()
        if not host.startswith("x86_64"):
            return f"mcpu={mcpu} is an x86-64 CPU; this host is {host}", None, {}
    if mcpu is None:
        return None, None, {}
    missing = missing_on_host(mcpu)
    not_runnable = (f"compiled, not run: this host cannot execute mcpu={mcpu} code (no {', '.join(missing)})"
                    if missing else None)
    return None, not_runnable, {"mcpu": mcpu}


def _probe_c():
    from tvm.support.cc import get_cc

    if get_cc() is None:
        return "no C compiler found (set CC or install gcc/clang)", None, {}
    return None, None, {}


def cuda_arch_of_device() -> str | None:
    import tvm

    dev = tvm.cuda(0)
    if tvm.runtime.enabled("cuda") and dev.exist:
        return "sm_" + dev.compute_version.replace(".", "")
    return None


def _probe_gpu(kind: str, device_kind: str):
    import tvm

    if tvm.get_global_func(f"target.build.{kind}", allow_missing=True) is None:
        return f"this TVM build has no {kind} code generator", None, {}
    overrides = {}
    if kind == "cuda":
        # Without a GPU, generate for DWCONF_CUDA_ARCH (default sm_80) and compile with nvcc.
        overrides["arch"] = cuda_arch_of_device() or os.environ.get("DWCONF_CUDA_ARCH", "sm_80")
    trial_error = _trial_build({"kind": kind, **overrides})
    if trial_error:
        return f"{kind} code generation fails here: {trial_error}", None, overrides
    if not tvm.runtime.enabled(device_kind):
        return None, f"compiled, not run: this TVM build has no {device_kind} runtime", overrides
    if not tvm.device(device_kind, 0).exist:
        return None, f"compiled, not run: no {device_kind} device found", overrides
    return None, None, overrides


def _trial_build(spec: dict) -> str | None:
    """Build a one-line GPU kernel; the last line of the error when that fails (e.g. no ROCm)."""
    import tvm
    from tvm import te
    from tvm.s_tir import dlight

    a = te.placeholder((4,), name="A")
    b = te.compute((4,), lambda i: a[i] + 1, name="B")
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # ROCm's probe prints its guesses
            target = tvm.target.Target(spec)
        with target:
            mod = dlight.ApplyDefaultSchedule(dlight.gpu.Fallback())(
                tvm.IRModule({"main": te.create_prim_func([a, b])}))
        tvm.compile(mod, target=target)
    except Exception as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        return lines[-1][:200]
    return None


@dataclass(frozen=True)
class TargetSpec:
    """A known target: its base TVM target dict, where its kernels run, and how to probe it.
    `probe()` returns (why unavailable, why not runnable, spec overrides)."""

    name: str
    spec: dict = field(hash=False, compare=False)
    device_kind: str = "cpu"
    gpu: bool = False
    probe: Callable = field(default=lambda: (None, None, {}), hash=False, compare=False)
    # Share of the profile's examples outside nightly, for a target whose examples cost more
    # than they add (the reason beside each entry below; README, "How many examples a row draws").
    example_share: float = 1.0


KNOWN_TARGETS = {t.name: t for t in (
    TargetSpec("llvm", {"kind": "llvm"}, probe=_probe_llvm),  # TVM's default: baseline CPU, no AVX on x86-64
    # mcpu=x86-64 selects the instruction set TVM's default llvm target has (SSE2 on x86-64,
    # tests/test_targets.py): the same code up to LLVM's tuning, so a quarter of the examples.
    TargetSpec("llvm-x86-64", {"kind": "llvm"}, probe=lambda: _probe_llvm("x86-64"), example_share=0.25),
    TargetSpec("llvm-native", {"kind": "llvm"}, probe=lambda: _probe_llvm("native")),
    # Every build runs the C compiler (0.27 s a build against llvm's 0.10 s, measured): half.
    TargetSpec("c", {"kind": "c"}, probe=_probe_c, example_share=0.5),
    *(TargetSpec(kind, {"kind": kind}, kind, gpu=True, probe=functools.partial(_probe_gpu, kind, kind))
      for kind in ("cuda", "rocm", "vulkan", "opencl", "metal")),
)}


@functools.cache
def discover_targets() -> tuple[Target, ...]:
    """Every known target, each probed once, with the reasons where it cannot build or run."""
    found = []
    for known in KNOWN_TARGETS.values():
        try:
            unavailable, not_runnable, overrides = known.probe()
        except Exception as exc:  # a probe that breaks means the target cannot be used
            unavailable, not_runnable, overrides = f"probe failed: {type(exc).__name__}: {exc}", None, {}
        compile_only_gpu = known.gpu and not unavailable and not_runnable is not None
        share = known.example_share * (COMPILE_ONLY_SHARE if compile_only_gpu else 1)
        found.append(Target(known.name, {**known.spec, **overrides}, known.device_kind, known.gpu,
                            unavailable, not_runnable, example_share=share))
    return tuple(found)


def available_targets() -> tuple[Target, ...]:
    """The targets that can build kernels here (runnable or compile-only)."""
    return tuple(t for t in discover_targets() if t.available)


def offline_compiler_missing(target: Target) -> str | None:
    """Compile-only CUDA rows also compile the generated source to a cubin, with nvcc."""
    if target.device_kind == "cuda" and shutil.which("nvcc") is None:
        return "nvcc not found: CUDA source is generated but not compiled"
    return None


def select_targets(names: str | None) -> tuple[Target, ...]:
    """The targets named in a comma-separated list (all known ones when None).

    Raises ValueError naming the known and available targets on an unknown name, and on a
    DWCONF_HOST_MCPU that is not an LLVM CPU name.
    """
    host_mcpu()  # a bad DWCONF_HOST_MCPU stops the run here, not as a skipped llvm-native row
    runnable = ", ".join(t.name for t in available_targets() if t.runnable) or "none"
    compile_only = ", ".join(t.name for t in available_targets() if not t.runnable) or "none"
    return select_named({t.name: t for t in discover_targets()}, names, "target",
                        context=f"; runnable here: {runnable}; compile-only here: {compile_only}")

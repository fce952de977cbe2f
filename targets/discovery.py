"""Target discovery: which TVM targets can build *and run* kernels on this machine.

Nothing is hard-coded as present: each known target is probed at start-up and carries
the reason when it is not available, so the report can show it as a visible skip.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """A TVM target plus the device its kernels run on."""

    name: str
    spec: dict = field(hash=False, compare=False)
    device_kind: str = "cpu"
    gpu: bool = False
    why_unavailable: str | None = None

    @property
    def available(self) -> bool:
        return self.why_unavailable is None

    def tvm_target(self):
        import tvm

        return tvm.target.Target(self.spec)

    def device(self):
        import tvm

        return tvm.device(self.device_kind, 0)


def _c_compiler_missing() -> str | None:
    from tvm.support.cc import get_cc

    if get_cc() is None:
        return "no C compiler found (set CC or install gcc/clang)"
    return None


def _gpu_missing(kind: str, device_kind: str) -> str | None:
    import tvm

    if tvm.get_global_func(f"target.build.{kind}", allow_missing=True) is None:
        return f"this TVM build has no {kind} code generator"
    if not tvm.runtime.enabled(device_kind):
        return f"this TVM build has no {device_kind} runtime"
    if not tvm.device(device_kind, 0).exist:
        return f"no {device_kind} device found"
    return None


def _llvm_missing() -> str | None:
    import tvm

    if not tvm.runtime.enabled("llvm"):
        return "this TVM build has no LLVM code generator"
    return None


# name -> (target dict, device kind, is a GPU, probe returning why not available)
KNOWN_TARGETS = {
    "llvm": ({"kind": "llvm"}, "cpu", False, _llvm_missing),
    "c": ({"kind": "c"}, "cpu", False, _c_compiler_missing),
    "cuda": ({"kind": "cuda"}, "cuda", True, lambda: _gpu_missing("cuda", "cuda")),
    "rocm": ({"kind": "rocm"}, "rocm", True, lambda: _gpu_missing("rocm", "rocm")),
    "vulkan": ({"kind": "vulkan"}, "vulkan", True, lambda: _gpu_missing("vulkan", "vulkan")),
    "opencl": ({"kind": "opencl"}, "opencl", True, lambda: _gpu_missing("opencl", "opencl")),
    "metal": ({"kind": "metal"}, "metal", True, lambda: _gpu_missing("metal", "metal")),
}


@functools.cache
def discover_targets() -> tuple[Target, ...]:
    """Every known target, each probed once, with the reason where it is unavailable."""
    found = []
    for name, (spec, device_kind, gpu, probe) in KNOWN_TARGETS.items():
        try:
            reason = probe()
        except Exception as exc:  # a probe that breaks means the target cannot be used
            reason = f"probe failed: {type(exc).__name__}: {exc}"
        found.append(Target(name, spec, device_kind, gpu, reason))
    return tuple(found)


def available_targets() -> tuple[Target, ...]:
    """The targets that can build and run kernels here."""
    return tuple(t for t in discover_targets() if t.available)


def select_targets(names: str | None) -> tuple[Target, ...]:
    """The targets named in a comma-separated list (all known ones when None).

    Raises ValueError naming the known and available targets on an unknown name.
    """
    targets = {t.name: t for t in discover_targets()}
    if not names:
        return tuple(targets.values())
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in targets]
    if unknown or not wanted:
        available = ", ".join(t.name for t in available_targets()) or "none"
        raise ValueError(
            f"unknown target(s) {', '.join(unknown) or repr(names)}; "
            f"known targets: {', '.join(targets)}; available here: {available}"
        )
    return tuple(targets[n] for n in dict.fromkeys(wanted))

"""The kernel registry: adding a kernel is adding one entry here (or calling `register_kernel`)."""
from __future__ import annotations

from kernels.kernel import Kernel
from kernels.seed_te import SEED_TE
from kernels.generic_kernels import SEED_TE_GENERIC
from kernels.relax_kernels import RELAX_KERNELS
from kernels.scheduled_kernels import SCHEDULED_KERNELS
from kernels.topi_kernels import TOPI_KERNELS

KERNELS: dict[str, Kernel] = {
    k.name: k for k in (SEED_TE, SEED_TE_GENERIC, *TOPI_KERNELS, *SCHEDULED_KERNELS, *RELAX_KERNELS)
}


def register_kernel(kernel: Kernel) -> Kernel:
    """Add a kernel to the matrix (tests use it to plant deliberately wrong kernels)."""
    if kernel.name in KERNELS and KERNELS[kernel.name] is not kernel:
        raise ValueError(f"a kernel named {kernel.name!r} is already registered")
    KERNELS[kernel.name] = kernel
    return kernel


def select_named(registry: dict, names: str | None, noun: str) -> tuple:
    """The entries of `registry` named in a comma-separated list (all when None), in that order;
    ValueError naming the known ones on an unknown name."""
    if not names:
        return tuple(registry.values())
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in registry]
    if unknown or not wanted:
        raise ValueError(f"unknown {noun}(s) {', '.join(unknown) or repr(names)}; "
                         f"known {noun}s: {', '.join(registry)}")
    return tuple(registry[n] for n in dict.fromkeys(wanted))


def select_kernels(names: str | None) -> tuple[Kernel, ...]:
    """The kernels named in a comma-separated list (all when None); ValueError on unknown names."""
    return select_named(KERNELS, names, "kernel")

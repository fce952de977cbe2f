"""The kernel registry: adding a kernel is adding one entry here (or calling `register_kernel`)."""
from __future__ import annotations

from kernels.backward import BACKWARD, BACKWARD_KERNELS
from kernels.family_kernels import FAMILY_KERNELS
from kernels.generic_kernels import SEED_TE_GENERIC, SEED_TE_GENERIC_GPU
from kernels.kernel import Kernel
from kernels.onnx_family import ONNX_FAMILY_KERNELS
from kernels.onnx_import import ONNX_IMPORT
from kernels.relax_block import RELAX_BLOCK
from kernels.relax_gradients import RELAX_BACKWARD, RELAX_GRADIENT_KERNELS
from kernels.relax_kernels import RELAX_KERNELS
from kernels.scheduled_kernels import SCHEDULED_KERNELS
from kernels.seed_te import SEED_TE
from kernels.torch_export import TORCH_EXPORT
from kernels.topi_kernels import TOPI_KERNELS
from kernels.torch_family import TORCH_FAMILY_KERNELS
from model.selection import select_named

KERNELS: dict[str, Kernel] = {
    k.name: k for k in (SEED_TE, SEED_TE_GENERIC, SEED_TE_GENERIC_GPU, *TOPI_KERNELS, *SCHEDULED_KERNELS, *RELAX_KERNELS, *FAMILY_KERNELS, TORCH_EXPORT, RELAX_BLOCK, ONNX_IMPORT, *ONNX_FAMILY_KERNELS, *TORCH_FAMILY_KERNELS,
                        *BACKWARD_KERNELS, *RELAX_GRADIENT_KERNELS)
}
# Names that stand for several kernels in --kernels.
KERNEL_GROUPS = {BACKWARD: tuple(k.name for k in BACKWARD_KERNELS),
                 RELAX_BACKWARD: tuple(k.name for k in RELAX_GRADIENT_KERNELS)}


def register_kernel(kernel: Kernel) -> Kernel:
    """Add a kernel to the matrix (tests use it to plant deliberately wrong kernels)."""
    if kernel.name in KERNELS and KERNELS[kernel.name] is not kernel:
        raise ValueError(f"a kernel named {kernel.name!r} is already registered")
    KERNELS[kernel.name] = kernel
    return kernel


def select_kernels(names: str | None) -> tuple[Kernel, ...]:
    """The kernels named in a comma-separated list (all when None; "topi_backward": both
    gradient kernels, "relax_backward": every Relax gradient row); ValueError on unknown names."""
    return select_named(KERNELS, names, "kernel", KERNEL_GROUPS)

"""Building a kernel for a case and a target, cached by what determines the code."""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from runner.build_cache import build_cache, cache_key, export_file
from runner.guarded import KernelArgs, shape_mismatch
from model.case import DepthwiseCase

# Everything that determines the generated code is (kernel, case, options, target): the
# input values are not part of it. Shrinking and replays hit this cache.
BUILD_CACHE_SIZE = 512


class BuildError(Exception):
    """tvm.compile failed; `script` is the module it was given (for the repro)."""

    def __init__(self, script: str):
        super().__init__("tvm.compile failed")
        self.script = script


class KernelShapeError(ValueError):
    """The kernel's function does not take the case's shapes (checked before compiling);
    `script` is its module, for the repro."""

    def __init__(self, message: str, script: str):
        super().__init__(message)
        self.script = script


@dataclass
class CompiledKernel:
    """A built kernel: call it with (data, weight) numpy arrays in the case's layout.

    On a compile-only target `function` is None: the code was generated (and, for CUDA,
    compiled to a cubin of `binary_size` bytes) but there is no device to run it on.
    """

    kernel: object
    case: object
    target: object
    script: str  # TVMScript of the module that was compiled: the repro scripts rebuild from it
    function: object = None
    binary_size: int = 0
    scalar_args: tuple = ()  # shape-generic kernels take the case's sizes after (X, K, Y)
    device: object = None  # where the function runs: the target's local device unless set (RPC)

    @property
    def runnable(self) -> bool:
        return self.function is not None

    def __call__(self, ex) -> np.ndarray:
        """The kernel's output for example `ex` (its inputs as the kernel takes them)."""
        dev = self.device or self.target.device()
        inputs = self.kernel.inputs(ex)
        if self.kernel.kind_of.vm:
            args = KernelArgs(inputs, dev)
            return args.result(self.function(*args.tensors))
        args = KernelArgs(inputs, dev, (self.kernel.argument_shapes(self.case)[2], self.case.out_dtype))
        self.function(*args.tensors, *self.scalar_args)
        return args.result()


def find_module(module, kind: str):
    """The first module of `kind` among `module` and its imports (depth first)."""
    if module.kind == kind:
        return module
    for imported in module.imports:
        found = find_module(imported, kind)
        if found is not None:
            return found
    return None


def device_code(executable, target) -> int:
    """Generate the device source; for CUDA with nvcc, compile it: the cubin's size (else 0)."""
    device_module = find_module(executable.mod, target.spec["kind"])
    if device_module is None:
        raise RuntimeError(f"tvm.compile produced no {target.spec['kind']} module")
    source = device_module.inspect_source()
    if target.device_kind != "cuda":
        return 0  # OpenCL and Metal sources compile at run time, on the device
    from targets.discovery import offline_compiler_missing

    if offline_compiler_missing(target):
        return 0
    from tvm.support.nvcc import compile_cuda

    with target.tvm_target():  # compile_cuda reads the arch from the current target
        cubin = compile_cuda(source, target_format="cubin", arch=target.spec["arch"], compiler="nvcc")
    return len(cubin)


def build(kernel, case, target, options=()) -> CompiledKernel:
    """Compile `kernel` for `case` (with its `options`) on `target`, cached by what determines
    the code: for a shape-generic kernel that is the dtype alone."""
    if kernel.generic is None:
        return build_static(kernel, case, target, options)
    shared = build_static(kernel, DepthwiseCase(dtype=case.dtype), target, options)
    return dataclasses.replace(shared, case=case, scalar_args=kernel.generic(case))


@functools.lru_cache(maxsize=BUILD_CACHE_SIZE)
def build_static(kernel, case, target, options=()) -> CompiledKernel:
    kind = kernel.kind_of
    mod = kernel.module(case, dict(options), target)
    script = mod.script()
    if kernel.prepare is not None:
        # The script stays the module as written (the repro applies the same pipeline to it);
        # the pipeline and its options are part of what determines the code.
        mod = kernel.prepare(mod, case, dict(options))
        script += f"\n# dwconf: then kernel.prepare with {dict(options)!r}\n"
    else:
        script += kind.script_note(dict(options))
    if kind.checks_shapes:
        mismatch = shape_mismatch(mod["main"], kernel.argument_shapes(case))
        if mismatch:
            raise KernelShapeError(mismatch, script)
    if target.rpc:
        return build_remote(kernel, case, target, mod, script)
    if not target.runnable:
        return build_compile_only(kernel, case, target, mod, script)
    cache = build_cache() if not target.gpu else None
    key = cache_key(kernel.kind, script, target.build_spec) if cache else None
    library = cache.load(key) if cache else None
    if library is not None:
        return CompiledKernel(kernel, case, target, script,
                              function=entry_function(library, kernel, target.device()))
    executable = compile_module(mod, target, script)
    compiled = CompiledKernel(kernel, case, target, script)
    try:  # a host compiler runs here (the c target's C, exported or jitted): its failure is the build's
        library = cache.store(key, executable, target.spec) if cache else None
        compiled.function = entry_function(library if library is not None else executable, kernel, target.device())
    except Exception as exc:
        raise BuildError(script) from exc
    return compiled


def build_compile_only(kernel, case, target, mod, script) -> CompiledKernel:
    """Generate (and for CUDA, nvcc-compile) the code for a target with no device here; a
    success is recorded in the disk cache, so a re-run skips it."""
    from targets.discovery import offline_compiler_missing

    # Without nvcc only the source was generated: nothing worth recording.
    cache = build_cache() if not offline_compiler_missing(target) else None
    key = cache_key(kernel.kind, script, target.build_spec) if cache else None
    size = cache.compiled_size(key) if cache else None
    if size is None:
        executable = compile_module(mod, target, script)
        try:
            size = device_code(executable, target)
        except Exception as exc:
            raise BuildError(script) from exc
        if cache:
            cache.store_compiled(key, size)
    return CompiledKernel(kernel, case, target, script, binary_size=size)


def compile_module(mod, target, script: str):
    """tvm.compile; a failure is a BuildError carrying the module's script for the repro."""
    import tvm

    try:
        if target.opt_level is None:
            return tvm.compile(mod, target=target.tvm_target())
        with tvm.transform.PassContext(opt_level=target.opt_level):
            return tvm.compile(mod, target=target.tvm_target())
    except Exception as exc:
        raise BuildError(script) from exc


def build_remote(kernel, case, target, mod, script) -> CompiledKernel:
    """Compile and export here, upload to the target's RPC session, load there."""
    from targets.rpc import remote_sessions, scratch_library

    cache = build_cache()
    key = cache_key(kernel.kind, script, target.build_spec) if cache else None
    path = cache.lookup(key) if cache else None
    if path is None:
        executable = compile_module(mod, target, script)
        path = (cache.store_file(key, executable, target.spec) if cache
                else export_file(executable, scratch_library(), target.spec))
    sessions = remote_sessions()
    try:
        library = sessions.upload_and_load(target, path)
    finally:
        if cache is None:
            path.unlink(missing_ok=True)
    device = sessions.device(target)
    return CompiledKernel(kernel, case, target, script, function=entry_function(library, kernel, device),
                          device=device)


def entry_function(module, kernel, device):
    """The callable "main" of a compiled executable or of a loaded (local or remote) library."""
    return kernel.kind_of.entry(module, device)

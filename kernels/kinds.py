"""The kinds of kernel (`Kernel.kind`) as objects: what a kernel's module is, how it is readied for
a target, what of its options the build cache must see, and how its compiled main is entered and
called. runner/build.py has one build path that asks the kind; reports/repro.py asks it how the
repro calls main; findings/table.py's exclusions name kinds by `name`.

- "te": a TE compute made a PrimFunc main(X, K, Y) (a shape-generic one: main(X, K, Y, *sizes),
  its module the dtype's alone), scheduled by the kernel where it says how, else by dlight's
  defaults on GPU targets; its parameter shapes are checked against the case before compiling;
  main writes an output array the caller allocates.
- "relax": an IRModule whose main takes the kernel's arrays and returns the output, run by the
  Relax VM; its options are written into the script the build cache keys on (a Relax module
  prints its constants as metadata references, not values).
"""
from __future__ import annotations


class TEKind:
    """A TE compute, built as a TIR function that writes its output."""

    name = "te"
    vm = False  # main(X, K, Y[, sizes]) writes Y, which the caller allocates
    checks_shapes = True  # main's parameter shapes are checked against the case before compiling

    def module(self, kernel, case, options: dict, target):
        """The IRModule to compile for `case` on `target`: scheduled where the kernel says how,
        else (GPU targets) by dlight's default rules, which bind every block to threads."""
        import tvm
        from tvm import te

        if kernel.generic is not None:
            x, k, y, scalars = kernel.compute(case.dtype)
            mod = tvm.IRModule({"main": te.create_prim_func([x, k, y, *scalars]).with_attr("global_symbol", "main")})
        else:
            mod = tvm.IRModule({"main": kernel.prim_func(case, None if kernel.schedule else options)})
        if kernel.schedule is not None:
            sch = tvm.s_tir.Schedule(mod)
            kernel.schedule(sch, case, target, **options)
            mod = tvm.IRModule({"main": sch.mod["main"].with_attr("tirx.is_scheduled", True)})
        return self.for_target(mod, target)

    @staticmethod
    def for_target(mod, target):
        """GPU targets need every block bound to threads: dlight's default GPU rules (a no-op on
        a function the kernel scheduled itself)."""
        if target is None or not target.gpu:
            return mod
        from tvm.s_tir import dlight

        with target.tvm_target():
            return dlight.ApplyDefaultSchedule(dlight.gpu.Fallback())(mod)

    def script_note(self, options: dict) -> str:
        return ""  # a TIR function prints everything that determines its code

    @staticmethod
    def entry(module, device):
        """The callable main of a compiled executable or a loaded library."""
        import tvm

        if isinstance(module, tvm.runtime.Executable):
            module = module.jit()
        return module["main"]


class RelaxKind:
    """A Relax IRModule, run by the Relax VM."""

    name = "relax"
    vm = True  # main returns its output
    checks_shapes = False  # the VM checks its arguments itself

    def module(self, kernel, case, options: dict, target):
        return kernel.compute(case, **options)

    def script_note(self, options: dict) -> str:
        # A Relax module prints its constants as metadata references, not values: the options
        # (which say what was bound) keep two examples' builds apart in the cache.
        return f"\n# dwconf: options {options!r}\n" if options else ""

    @staticmethod
    def entry(module, device):
        import tvm

        return tvm.relax.VirtualMachine(module, device)["main"]


KINDS = {kind.name: kind for kind in (TEKind(), RelaxKind())}

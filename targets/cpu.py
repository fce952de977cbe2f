"""x86-64 CPUs: the one code is built for (an llvm target's mcpu) and the one it would run on.

What TVM generates depends on the target's mcpu and its LLVM features, never on the host's
model name; whether this host can *execute* that code depends on the host's instruction-set
flags. Every host-dependent decision in dwconf goes through these two questions, so a test,
skip or exclusion gives the same verdict on any x86-64 host that can run it.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

# Pretend the host is this LLVM CPU (llvm-native's mcpu), e.g. DWCONF_HOST_MCPU=znver5: tests
# use it to check that discovery decides from the mcpu's features, not from the machine.
HOST_MCPU_ENV = "DWCONF_HOST_MCPU"

# LLVM feature name -> the /proc/cpuinfo flag that says the host executes it.
ISA_FLAGS = {
    "sse4.2": "sse4_2", "avx": "avx", "avx2": "avx2", "fma": "fma", "f16c": "f16c",
    "avx512f": "avx512f", "avx512cd": "avx512cd", "avx512bw": "avx512bw", "avx512dq": "avx512dq",
    "avx512vl": "avx512vl", "avx512vnni": "avx512_vnni", "avx512bf16": "avx512_bf16",
    "avx512fp16": "avx512_fp16", "amx-tile": "amx_tile",
}


def host_mcpu() -> str:
    """LLVM's name for this host's CPU, or DWCONF_HOST_MCPU where set (ValueError, naming some of
    LLVM's CPU names, when that is not one)."""
    import tvm
    from tvm.target import codegen

    chosen = os.environ.get(HOST_MCPU_ENV)
    if not chosen:
        return codegen.llvm_get_system_cpu()
    known = [str(name) for name in codegen.llvm_get_cpu_archlist(tvm.target.Target({"kind": "llvm"}))]
    if chosen not in known:
        examples = ", ".join(n for n in ("znver5", "sapphirerapids", "skylake-avx512", "haswell", "x86-64") if n in known)
        raise ValueError(f"{HOST_MCPU_ENV}={chosen} is not one of LLVM's {len(known)} CPU names (e.g. {examples})")
    return chosen


@functools.cache
def mcpu_features(mcpu: str, triple: str | None = None) -> frozenset:
    """The instruction-set features (of ISA_FLAGS, plus LLVM's tuning flags asked for) an
    llvm target with this mcpu generates code for."""
    import tvm
    from tvm.target import codegen

    spec = {"kind": "llvm", "mcpu": mcpu, **({"mtriple": triple} if triple else {})}
    target = tvm.target.Target(spec)
    return frozenset(f for f in (*ISA_FLAGS, "prefer-256-bit") if codegen.llvm_cpu_has_features([f], target))


@functools.cache
def host_isa_flags() -> frozenset:
    """The instruction-set flags of the CPU this process runs on (not DWCONF_HOST_MCPU's)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    from tvm.target import codegen  # no /proc: LLVM's view of the host CPU

    return frozenset(ISA_FLAGS[f] for f in mcpu_features(codegen.llvm_get_system_cpu()) if f in ISA_FLAGS)


def missing_on_host(mcpu: str) -> tuple[str, ...]:
    """The features code for `mcpu` may use that this host cannot execute (empty: it can)."""
    have = host_isa_flags()
    return tuple(sorted(f for f in mcpu_features(mcpu) if f in ISA_FLAGS and ISA_FLAGS[f] not in have))

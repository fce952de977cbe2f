"""Target and kernel discovery and selection."""
import pytest

from kernels.registry import KERNELS, register_kernel, select_kernels
from targets.cpu import missing_on_host
from findings.table import EXCLUSIONS, prefers_256_bit_avx512
from strategies.budget import COMPILE_ONLY_SHARE
from targets.discovery import (KNOWN_TARGETS, available_targets, discover_targets,
                               llvm_mcpu_features, select_targets)


def test_llvm_is_always_available():
    assert "llvm" in {t.name for t in available_targets()}


def test_every_known_target_is_reported_with_a_reason_when_unavailable():
    found = discover_targets()
    assert [t.name for t in found] == list(KNOWN_TARGETS)
    for t in found:
        assert t.available or t.why_unavailable
        assert t.runnable or t.why_unavailable or t.why_not_runnable.startswith("compiled, not run")


def test_cpu_targets_run_here_and_llvm_variants_differ_in_mcpu():
    targets = {t.name: t for t in discover_targets()}
    native = targets["llvm-native"]
    assert targets["llvm"].runnable and targets["llvm-x86-64"].runnable
    assert "mcpu" not in targets["llvm"].spec and native.spec["mcpu"]
    # llvm-native runs here unless its mcpu (DWCONF_HOST_MCPU in tests) needs what this CPU lacks
    assert native.runnable == (not missing_on_host(native.spec["mcpu"])), native.why_not_runnable


def test_llvm_x86_64_has_the_instruction_set_of_tvms_default_llvm_target():
    # the reason llvm-x86-64 gets a quarter of the examples (targets/discovery.py)
    import tvm
    from tvm.target import codegen

    features = ("sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "avx", "avx2", "fma", "f16c", "avx512f")

    def isa(spec):
        target = tvm.target.Target(spec)
        return {f for f in features if codegen.llvm_cpu_has_features([f], target)}

    assert isa({"kind": "llvm"}) == isa({"kind": "llvm", "mcpu": "x86-64"}) == {"sse2"}


def test_costly_targets_get_their_share_of_the_examples_and_compile_only_gpus_less():
    targets = {t.name: t for t in discover_targets()}
    assert targets["llvm"].example_share == targets["llvm-native"].example_share == 1.0
    assert targets["llvm-x86-64"].example_share == 0.25 and targets["c"].example_share == 0.5
    for t in targets.values():
        if t.gpu and t.available:
            assert t.example_share == (1.0 if t.runnable else COMPILE_ONLY_SHARE), t


def test_llvm_native_takes_bfloat16_unless_its_mcpu_falls_under_the_avx512_finding():
    native = {t.name: t for t in discover_targets()}["llvm-native"]
    excluded = native.excluded_dtypes("te")
    if prefers_256_bit_avx512(llvm_mcpu_features(native.spec)):
        [avx512] = [e for e in EXCLUSIONS if e.when is prefers_256_bit_avx512]
        assert excluded == {"bfloat16": avx512.reason} and "findings/llvm-avx512-bfloat16.md" in avx512.reason
    else:
        assert excluded == {}


def test_selection_keeps_order_and_drops_duplicates():
    assert [t.name for t in select_targets("c, llvm,c")] == ["c", "llvm"]


def test_unknown_target_names_the_known_and_available_ones():
    with pytest.raises(ValueError) as error:
        select_targets("llvm,tpu")
    message = str(error.value)
    assert "tpu" in message and "known targets: llvm, llvm-x86-64, llvm-native, c, cuda" in message
    assert "runnable here: llvm" in message and "compile-only here: " in message


def test_unknown_kernel_names_the_known_ones():
    with pytest.raises(ValueError, match="known kernels: seed_te"):
        select_kernels("nope")


def test_registering_a_second_kernel_under_a_taken_name_is_refused():
    with pytest.raises(ValueError):
        register_kernel(KERNELS["seed_te"].__class__(name="seed_te", compute=lambda case: None))


def test_a_target_with_a_share_checks_a_like_share_of_the_pinned_examples_spread_evenly():
    from strategies.budget import spread
    from strategies.pinned import pinned_examples

    targets = {t.name: t for t in discover_targets()}
    full = [name for name, _ in pinned_examples(KERNELS["relax_block"], targets["llvm"])]
    quarter = [name for name, _ in pinned_examples(KERNELS["relax_block"], targets["llvm-x86-64"])]
    assert len(full) == 17 and len(quarter) == 5 and quarter == spread(full, 0.25)
    assert quarter[0] == full[0] and quarter[-1] in full[-4:]
    assert spread(list(range(7)), 0.5) == [0, 2, 4, 5] and spread([1], 0.15) == [1] and spread([], 0.5) == []

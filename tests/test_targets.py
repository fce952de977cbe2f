"""Target and kernel discovery and selection."""
import pytest

from kernels.registry import KERNELS, register_kernel, select_kernels
from targets.discovery import KNOWN_TARGETS, available_targets, discover_targets, select_targets


def test_llvm_is_always_available():
    assert "llvm" in {t.name for t in available_targets()}


def test_every_known_target_is_reported_with_a_reason_when_unavailable():
    found = discover_targets()
    assert [t.name for t in found] == list(KNOWN_TARGETS)
    for t in found:
        assert t.available or t.why_unavailable


def test_selection_keeps_order_and_drops_duplicates():
    assert [t.name for t in select_targets("c, llvm,c")] == ["c", "llvm"]


def test_unknown_target_names_the_known_and_available_ones():
    with pytest.raises(ValueError) as error:
        select_targets("llvm,tpu")
    message = str(error.value)
    assert "tpu" in message and "known targets: llvm, c, cuda" in message and "available here: llvm" in message


def test_unknown_kernel_names_the_known_ones():
    with pytest.raises(ValueError, match="known kernels: seed_te"):
        select_kernels("nope")


def test_registering_a_second_kernel_under_a_taken_name_is_refused():
    with pytest.raises(ValueError):
        register_kernel(KERNELS["seed_te"].__class__(name="seed_te", compute=lambda case: None))

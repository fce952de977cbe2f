"""The compile cache on disk: a later process loads the exported build instead of rebuilding."""
import os

import numpy as np
import pytest

from runner import build_cache as disk
from runner.build import build_static
from kernels.registry import KERNELS
from reference.numpy_oracle import numpy_reference
from model.case import DepthwiseCase
from model.example import seeded_example
from targets.discovery import select_targets

LLVM = select_targets("llvm")[0]
CASE = DepthwiseCase(channels=3, multiplier=2, height=6, width=5, kernel_h=2, pad_left=1, dtype="float16")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(disk.ENV, str(tmp_path))
    build_static.cache_clear()  # the in-memory cache would answer first
    yield disk.build_cache()
    build_static.cache_clear()


def fresh_build(kernel_name, case=CASE):
    build_static.cache_clear()  # as a new process would
    return build_static(KERNELS[kernel_name], case, LLVM)


@pytest.mark.parametrize("kernel_name", ["seed_te", "relax_conv2d"])
def test_second_build_is_loaded_from_disk_and_computes_the_same(cache, kernel_name):
    ex = seeded_example(CASE, 3)
    first = fresh_build(kernel_name)(ex)
    assert (cache.hits, cache.misses) == (0, 1)
    second = fresh_build(kernel_name)(ex)
    assert (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(second, numpy_reference(CASE, ex.data, ex.weight), rtol=1e-2, atol=1e-2)


def test_key_changes_with_what_determines_the_code(cache):
    fresh_build("seed_te")
    fresh_build("seed_te", DepthwiseCase(channels=3, multiplier=2, height=6, width=5, kernel_h=2, dtype="float16"))
    fresh_build("topi_nchw")
    assert (cache.hits, cache.misses) == (0, 3)
    assert len(list(cache.directory.glob("*.so"))) == 3


def test_unloadable_entry_is_rebuilt(cache):
    # A garbage file under the very key the build will look up (written before this process
    # has loaded anything from that path: dlopen answers a loaded path from memory).
    script = KERNELS["seed_te"].module(CASE, {}, LLVM).script()
    entry = cache.path(disk.cache_key("te", script, LLVM.spec))
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(b"not a shared library")
    ex = seeded_example(CASE, 3)
    out = fresh_build("seed_te")(ex)
    np.testing.assert_allclose(out, numpy_reference(CASE, ex.data, ex.weight), rtol=1e-2, atol=1e-2)
    assert (cache.hits, cache.misses) == (0, 1) and entry.read_bytes()[:4] == b"\x7fELF"


def test_prune_keeps_the_most_recently_used(cache):
    for name in ("seed_te", "topi_nchw", "relax_conv2d"):
        fresh_build(name)
    entries = sorted(cache.directory.glob("*.so"))
    for age, entry in enumerate(entries):  # distinct use times, whatever the clock's resolution
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    cache.prune(keep=1)
    assert list(cache.directory.glob("*.so")) == [entries[-1]]


def test_off_switch(monkeypatch):
    monkeypatch.setenv(disk.ENV, "off")
    assert disk.build_cache() is None

#!/usr/bin/env bash
# Prepare what a bare GPU machine (Python 3.12, numpy 2, torch, nvcc; no TVM, no network) needs
# to run the CUDA rows, in one transfer of at most 64 MiB: the TVM package of the tests'
# virtualenv (libtvm_compiler.so as xz, split in two files; no cutlass headers) and the cp312
# apache-tvm-ffi wheel, in .gpu/ (ignored by git). Then carry `.gpu` and run .ci/gpu/run.sh there.
set -euo pipefail
cd "$(dirname "$0")/../.."
site=$(.tox/tests/bin/python -c "import tvm, os; print(os.path.dirname(os.path.dirname(tvm.__file__)))")
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
rm -rf .gpu && mkdir -p .gpu
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_24_x86_64 -d .gpu \
    "apache-tvm-ffi==$(.tox/tests/bin/python -c 'import importlib.metadata as m; print(m.version("apache-tvm-ffi"))')"
tar --exclude='__pycache__' --exclude='tvm/lib/libtvm_compiler.so' --exclude='tvm/3rdparty/cutlass*' \
    -C "$site" -cJf .gpu/tvm-py.tar.xz tvm "$(cd "$site" && ls -d apache_tvm-*.dist-info)"
sha256sum "$site/tvm/lib/libtvm_compiler.so" | cut -d' ' -f1 > .gpu/sha256
xz -9 -T2 -c "$site/tvm/lib/libtvm_compiler.so" | split -b 40M -a 2 - .gpu/libtvm_compiler.so.xz.
du -cb .gpu/* | tail -1

#!/usr/bin/env bash
# On the GPU machine, from the repository root with .gpu/ carried (see prepare.sh): install TVM
# under /tmp/site, run the CUDA rows (DWCONF_GPU_K, default "cuda") for at most
# DWCONF_GPU_SECONDS, and leave the log, junit.xml, results.json and the report in $OUT.
set -u
export PYTHONUNBUFFERED=1
mkdir -p /tmp/site
cat .gpu/libtvm_compiler.so.xz.* > /tmp/lc.xz
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/*.whl || exit 4
tar -xJf .gpu/tvm-py.tar.xz -C /tmp/site || exit 5
xz -T0 -dc /tmp/lc.xz > /tmp/site/tvm/lib/libtvm_compiler.so || exit 6
echo "$(cat .gpu/sha256)  /tmp/site/tvm/lib/libtvm_compiler.so" | sha256sum -c - || exit 7
cudart=$(find /usr/local /opt -name 'libcudart.so.13*' 2>/dev/null | head -1)
export LD_LIBRARY_PATH=$(dirname "$cudart"):/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
export PATH=/usr/local/cuda/bin:$PATH PYTHONPATH=/tmp/site
nvidia-smi -L
python3 -c "import numpy, tvm; print('numpy', numpy.__version__, 'tvm', tvm.__version__, 'cuda', tvm.runtime.enabled('cuda'), tvm.cuda(0).exist)" || exit 8
timeout -s INT "${DWCONF_GPU_SECONDS:-360}" python3 -m pytest conformance -k "${DWCONF_GPU_K:-cuda}" \
    -n "${DWCONF_GPU_WORKERS:-14}" --dist loadgroup -rs --hypothesis-profile=ci --report-dir=/tmp/report \
    --junitxml=/tmp/report/junit.xml 2>&1 | tee "$OUT/pytest.log" | tail -40
cp /tmp/report/junit.xml /tmp/report/results.json "$OUT/" 2>/dev/null
tar -cJf "$OUT/report.tar.xz" -C /tmp report

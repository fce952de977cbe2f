"""Every finding test, target restriction and known failure gives the same verdict on any
x86-64 host: discovery and the finding tests are run as if the host were an AMD znver5 and as
if it were an Intel emeraldrapids (DWCONF_HOST_MCPU overrides the detected mcpu), and every
test's outcome must be the same for both. The finding tests run are those whose verdict can
follow the host's mcpu: those about llvm-native (its mcpu is the host's) and any kernel; the
others run standalone repros, which never ask dwconf for the host (running them twice, ~70 s,
would show nothing)."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from targets.cpu import HOST_MCPU_ENV

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("znver5", "emeraldrapids")  # AVX-512 both; only Intel's prefers 256-bit vectors


def outcomes(mcpu: str, tmp_path: Path) -> dict:
    """test id -> passed / failed / skipped / xfailed, from a child pytest run as if on `mcpu`."""
    junit = tmp_path / f"{mcpu}.xml"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance/test_findings.py", "tests/test_targets.py", "-q",
         "-p", "no:randomly", "--targets", "llvm-native", "--kernels", "seed_te", f"--junitxml={junit}",
         "--report-dir", str(tmp_path / mcpu)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, HOST_MCPU_ENV: mcpu})
    assert junit.is_file(), run.stdout[-2000:] + run.stderr[-2000:]
    found = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
        found[f"{case.get('classname')}::{case.get('name')}"] = outcome
    return found


def test_znver5_and_emeraldrapids_hosts_get_the_same_verdicts(tmp_path):
    amd, intel = (outcomes(mcpu, tmp_path) for mcpu in HOSTS)
    assert amd and amd == intel
    assert "failed" not in amd.values(), amd
    assert amd["conformance.test_findings::test_avx512_bfloat16_exclusion_agrees_with_every_measured_mcpu"
               "[znver5-False]"] == "passed"
    assert "conformance.test_findings::test_bfloat16_built_for_skylake_avx512_leaves_the_heap_intact" in amd

"""Repro: apache-tvm 0.27.0.post1's metadata admits an apache-tvm-ffi it crashes with.

apache-tvm asks for `apache-tvm-ffi>=0.1.14.post0`, so pip installs the newest release beside it;
with 0.1.15.post2, `tvm.ir.save_json` of any node (an IntImm is enough) segfaults in
`tvm::ffi::ToJSONGraph`, and so do `IRModule.script(show_meta=True)` and dlight's Metal
tensorize. With 0.1.14.post0 all of them work.

Needs tvm, pip and the package index: it installs apache-tvm-ffi==0.1.15.post2 into a temporary
folder and puts it first on the path of a child process (the installed tvm is left alone).
Exit status 1: REPRODUCED (the installed tvm's metadata admits 0.1.15.post2 and save_json crashes
with it, while it works with the installed apache-tvm-ffi); 0: NOT REPRODUCED (the metadata
excludes that release, or it works); 77: CANNOT RUN HERE (pip could not fetch the release).
Found by dwconf (findings/tvm-ffi-abi-mismatch.md).
"""
import importlib.metadata
import os
import subprocess
import sys
import tempfile

from packaging.requirements import Requirement

BAD = "0.1.15.post2"
SAVE_JSON = """
import tvm, tvm_ffi
print("apache-tvm-ffi", tvm_ffi.__version__)
print(tvm.ir.save_json(tvm.tirx.IntImm("int32", 1))[:40])
"""


def save_json(path_first=None) -> subprocess.CompletedProcess:
    """tvm.ir.save_json(IntImm) in a child process, with `path_first` ahead of site-packages."""
    env = dict(os.environ)
    if path_first:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [path_first, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", SAVE_JSON], capture_output=True, text=True, env=env)


def main() -> int:
    wanted = [Requirement(r) for r in importlib.metadata.requires("apache-tvm") or []]
    ffi = next((r for r in wanted if r.name == "apache-tvm-ffi" and r.marker is None), None)
    print(f"apache-tvm {importlib.metadata.version('apache-tvm')} requires {ffi}")
    if ffi is not None and BAD not in ffi.specifier:
        print(f"NOT REPRODUCED: apache-tvm's metadata no longer admits apache-tvm-ffi {BAD}")
        return 0
    control = save_json()
    if control.returncode != 0:
        print(f"CANNOT RUN HERE: save_json fails with the installed apache-tvm-ffi too: {control.stderr[-300:]}")
        return 77
    print(f"installed: {control.stdout.splitlines()[0]}: save_json works")
    with tempfile.TemporaryDirectory() as folder:
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", folder,
                              f"apache-tvm-ffi=={BAD}"], capture_output=True, text=True)
        if pip.returncode != 0:
            print(f"CANNOT RUN HERE: pip could not install apache-tvm-ffi=={BAD}: {pip.stderr.strip()[-300:]}")
            return 77
        child = save_json(folder)
    crash = [line.strip() for line in child.stderr.splitlines() if "ToJSONGraph" in line][:1]
    print(f"apache-tvm-ffi {BAD}: exit status {child.returncode} {'; '.join(crash)}")
    if child.returncode != 0:
        print(f"REPRODUCED: apache-tvm admits apache-tvm-ffi {BAD}, and tvm.ir.save_json crashes with it")
        return 1
    print(f"NOT REPRODUCED: save_json works with apache-tvm-ffi {BAD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""requirements-installed.txt: the numpy-2 lock less what a TVM installation brings itself (TVM,
apache-tvm-ffi, numpy, ml-dtypes), for `tox -e conformance-installed`, which installs it with
--no-deps beside the TVM of an existing environment. `tox -e lock` writes it; a test checks it
is what the lock says."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # .ci/ is one below the root
BROUGHT_BY_TVM = ("apache-tvm", "apache-tvm-ffi", "numpy", "ml-dtypes")
HEADER = ("# The numpy-2 lock (requirements-numpy2.txt) less what a TVM installation brings itself:\n"
          f"# {', '.join(BROUGHT_BY_TVM)}. Made by `tox -e lock` (python .ci/installed_lock.py).\n")


def installed_lock(lock: str) -> str:
    """The text of requirements-installed.txt from the numpy-2 lock's text."""
    pins = [line for line in lock.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    kept = [line for line in pins if re.split(r"[=<>!~ \[;]", line, maxsplit=1)[0].lower() not in BROUGHT_BY_TVM]
    return HEADER + "\n".join(kept) + "\n"


def main() -> int:
    text = installed_lock((ROOT / "requirements-numpy2.txt").read_text())
    (ROOT / "requirements-installed.txt").write_text(text)
    print(f"requirements-installed.txt: {text.count(chr(10)) - 2} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

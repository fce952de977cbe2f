"""A real TVM RPC farm on the loopback address: a tracker and one server per device key,
each a `python -m tvm.exec.rpc_*` process under `timeout`, so it stops by itself even if
the test process dies."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from targets.rpc import servers_for, tracker_summary

HOST = "127.0.0.1"
LIFETIME = 900  # seconds before every farm process stops by itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class LoopbackFarm:
    """Tracker at `self.tracker` ("HOST:PORT"), servers by key in `self.servers`."""

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.processes = []
        self.servers = {}
        port = free_port()
        self.port = port
        self.tracker = f"{HOST}:{port}"
        self._start("tracker", "tvm.exec.rpc_tracker", "--host", HOST, "--port", str(port),
                    "--port-end", str(port + 1))
        self._wait(lambda: tracker_summary(HOST, port, timeout=1) is not None, "the tracker")

    def _start(self, name, module, *args) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "w")
        process = subprocess.Popen(["timeout", str(LIFETIME), sys.executable, "-m", module, *args],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    @staticmethod
    def _wait(ready, what, seconds=60.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except Exception:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{what} did not come up within {seconds:.0f} s")

    def add_server(self, key: str) -> subprocess.Popen:
        port = free_port()
        self.servers[key] = self._start(f"server-{key}", "tvm.exec.rpc_server", "--host", HOST,
                                        "--port", str(port), "--port-end", str(port + 1),
                                        "--tracker", self.tracker, "--key", key)
        self._wait(lambda: servers_for(tracker_summary(HOST, self.port, timeout=1), key) == 1,
                   f"the RPC server for {key}")
        return self.servers[key]

    def log(self, key: str) -> str:
        return (self.log_dir / f"server-{key}.log").read_text()

    @staticmethod
    def _kill(process: subprocess.Popen):
        """SIGKILL the process' whole group: `timeout`, the server and what it started."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)

    def kill(self, key: str):
        self._kill(self.servers[key])

    def stop(self):
        for process in self.processes:
            self._kill(process)

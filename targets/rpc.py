"""Remote devices through a TVM RPC tracker: each device key is a target row of the matrix.

    --rpc-tracker HOST:PORT   (DWCONF_RPC_TRACKER)
    --rpc-key KEY[=TARGET][,KEY[=TARGET]...]   (DWCONF_RPC_KEYS)

TARGET is a known target name (`llvm` when left out; `cuda`, `opencl`, `vulkan`, ...) with
optional `:attr=value` settings, e.g. `pi4=llvm:mtriple=aarch64-linux-gnu:mcpu=cortex-a72` or
`gpu0=cuda:arch=sm_86`. A key's row is named `rpc-KEY`. Kernels are compiled and exported on
this host, uploaded to a session the tracker grants for the key and run there; the references
run here. Sessions are requested with a timeout and reused across examples; a device that
stops answering is "lost": its example, and every later one, is a red "device lost" error.
"""
from __future__ import annotations

import os
import socket
import tempfile
import threading
from pathlib import Path

ENV_TRACKER = "DWCONF_RPC_TRACKER"
ENV_KEYS = "DWCONF_RPC_KEYS"
ENV_TIMEOUT = "DWCONF_RPC_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds to wait for the tracker to grant a session
CONNECT_TIMEOUT = 5.0  # seconds to reach the tracker at start-up
DEVICE_LOST = "device lost"


class RPCConfigError(ValueError):
    """A malformed or unreachable RPC setting: a one-line message for the user."""


class DeviceLost(BaseException):
    """A remote device stopped answering. A BaseException, so Hypothesis does not shrink it
    (there is nothing to shrink: every example fails alike) and the row ends at once."""


def parse_tracker(text: str) -> tuple[str, int]:
    """("host", port) from "HOST:PORT"."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RPCConfigError(f"--rpc-tracker must be HOST:PORT (e.g. 127.0.0.1:9190), not {text!r}")
    return host, int(port)


def parse_target(text: str, key: str) -> tuple[str, dict]:
    """(known target name, extra target attributes) from "NAME[:attr=value...]"."""
    from targets.discovery import KNOWN_TARGETS

    name, *settings = text.split(":")
    if name not in KNOWN_TARGETS:
        raise RPCConfigError(f"--rpc-key {key}={text}: unknown target {name!r}; known targets: "
                             f"{', '.join(KNOWN_TARGETS)}")
    attrs = {}
    for setting in settings:
        attr, sep, value = setting.partition("=")
        if not sep or not attr:
            raise RPCConfigError(f"--rpc-key {key}={text}: target settings are attr=value, not {setting!r}")
        attrs[attr] = value
    return name, attrs


def parse_keys(text: str) -> list[tuple[str, str, dict]]:
    """[(key, target name, attributes)] from "KEY[=TARGET],..."."""
    parsed = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, _, target = item.partition("=")
        if not key or not all(c.isalnum() or c in "-_." for c in key):
            raise RPCConfigError(f"--rpc-key: {key!r} is not a device key (letters, digits, - _ .)")
        parsed.append((key, *parse_target(target or "llvm", key)))
    if not parsed:
        raise RPCConfigError("--rpc-key names no device key (KEY[=TARGET],...)")
    keys = [key for key, _, _ in parsed]
    if len(set(keys)) != len(keys):
        raise RPCConfigError(f"--rpc-key names a key twice: {','.join(keys)}")
    return parsed


def tracker_summary(host: str, port: int, timeout: float = CONNECT_TIMEOUT) -> dict:
    """The tracker's summary; RPCConfigError (one line) when it cannot be reached."""
    from tvm import rpc

    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise RPCConfigError(f"cannot reach the RPC tracker at {host}:{port}: "
                             f"{exc.strerror or exc} (is `python -m tvm.exec.rpc_tracker` running?)") from None
    try:
        return rpc.connect_tracker(host, port).summary()
    except Exception as exc:
        raise RPCConfigError(f"{host}:{port} does not answer as an RPC tracker: {exc}") from None


def registered_keys(summary: dict) -> list[str]:
    """The device key of each RPC server registered at the tracker (busy ones included)."""
    return [server.get("key", "").split(":")[-1] for server in summary.get("server_info", [])]


def servers_for(summary: dict, key: str) -> int:
    """How many RPC servers are registered at the tracker for `key`."""
    return registered_keys(summary).count(key)


def remote_targets(tracker: str, keys: str):
    """One Target per key, named rpc-KEY, reached through the tracker (checked reachable, and
    serving every key: a mistyped key is a usage error, not a red row)."""
    from targets.discovery import KNOWN_TARGETS, Target

    host, port = parse_tracker(tracker)
    parsed = parse_keys(keys)
    summary = tracker_summary(host, port)
    missing = [key for key, _, _ in parsed if servers_for(summary, key) == 0]
    if missing:
        raise RPCConfigError(f"no RPC server is registered at {host}:{port} for key {', '.join(missing)}; "
                             f"registered keys: {', '.join(sorted(set(registered_keys(summary)))) or 'none'}")
    found = []
    for key, name, attrs in parsed:
        known = KNOWN_TARGETS[name]
        found.append(Target(f"rpc-{key}", {**known.spec, **attrs}, known.device_kind, known.gpu,
                            rpc=(host, port, key), examples_from=None if attrs else name,
                            example_share=known.example_share))
    return tuple(found)


class RemoteSessions:
    """This process' sessions, one per device key, requested once and reused."""

    def __init__(self):
        self._sessions = {}
        self._lost = {}
        self._uploaded = set()
        self.timeout = float(os.environ.get(ENV_TIMEOUT, DEFAULT_TIMEOUT))

    def session(self, target):
        """The session for the target's key (requested from the tracker the first time)."""
        if target.rpc in self._lost:
            raise DeviceLost(self._lost[target.rpc])
        if target.rpc not in self._sessions:
            self._sessions[target.rpc] = self._request(target)
        return self._sessions[target.rpc]

    def _request(self, target):
        from tvm import rpc

        host, port, key = target.rpc
        try:
            summary = tracker_summary(host, port)
        except RPCConfigError as exc:
            self.lose(target, str(exc))
        if servers_for(summary, key) == 0:
            self.lose(target, f"no RPC server is registered for key {key!r} at {host}:{port}")
        granted = {}

        def request():  # the tracker answers only when a server is free: wait in a thread
            try:
                granted["session"] = rpc.connect_tracker(host, port).request(key, max_retry=1)
            except Exception as exc:
                granted["error"] = exc

        waiter = threading.Thread(target=request, daemon=True)
        waiter.start()
        waiter.join(self.timeout)
        if "session" not in granted:
            why = granted.get("error") or f"no session granted within {self.timeout:.0f} s ({ENV_TIMEOUT})"
            self.lose(target, f"key {key!r} at {host}:{port}: {why}")
        return granted["session"]

    def lose(self, target, why: str):
        """Mark the target's device lost in this process and raise DeviceLost."""
        self._sessions.pop(target.rpc, None)
        self._lost[target.rpc] = f"{DEVICE_LOST}: {target.name}: {why}".splitlines()[0][:400]
        raise DeviceLost(self._lost[target.rpc])

    def alive(self, target) -> bool:
        """Whether the target's session still answers a round trip (True before it has one)."""
        if target.rpc in self._lost:
            return False
        session = self._sessions.get(target.rpc)
        if session is None:
            return True
        try:
            session.listdir(".")  # a round trip (a remote device's `exist` answers locally)
        except Exception:
            return False
        return True

    def device(self, target):
        return self.session(target).device(target.device_kind, 0)

    def upload_and_load(self, target, library: Path):
        """Upload an exported library to the target's session (once) and load it there."""
        session = self.session(target)
        if (target.rpc, library.name) not in self._uploaded:
            session.upload(str(library), library.name)
            self._uploaded.add((target.rpc, library.name))
        return session.load_module(library.name)


_SESSIONS = RemoteSessions()


def remote_sessions() -> RemoteSessions:
    """The sessions of this process (the isolation worker's, or the test process')."""
    return _SESSIONS


def scratch_library(suffix: str = ".so") -> Path:
    """A fresh local path to export a library to when the build cache is off."""
    fd, path = tempfile.mkstemp(suffix=suffix, prefix="dwconf-rpc-")
    os.close(fd)
    return Path(path)

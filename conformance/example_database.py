"""Where the nightly profile keeps the failing examples it finds, replayed first on the next run.

`DWCONF_EXAMPLE_DB` names it: a folder (default .dwconf-cache/examples), or `redis://HOST:PORT/N`,
a Redis database that every runner of a CI fleet shares (Hypothesis' RedisExampleDatabase), so a
failure one runner finds tonight is replayed first by every runner tomorrow. A runner that cannot
reach the Redis server (or lacks the redis package) reads and writes its local folder instead,
and says so in the run's header.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase

LOCAL = Path(__file__).resolve().parents[1] / ".dwconf-cache" / "examples"
CONNECT_SECONDS = 3.0


def example_database(where: str | None) -> tuple[object, str]:
    """(the example database, one line saying which) for DWCONF_EXAMPLE_DB's value `where`."""
    if not where or not where.startswith(("redis://", "rediss://")):
        folder = Path(where) if where else LOCAL
        return DirectoryBasedExampleDatabase(str(folder)), f"example database: the folder {folder}"
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase

        client = redis.Redis.from_url(where, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=CONNECT_SECONDS)
        client.ping()
    except Exception as exc:  # no package, no server, refused, bad URL: the local folder serves
        why = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        return (DirectoryBasedExampleDatabase(str(LOCAL)),
                f"example database: {where} is out of reach ({why}); using the local folder {LOCAL}")
    return RedisExampleDatabase(client), f"example database: {where} (Redis, shared)"

"""The nightly profile's example database: a local folder, or a Redis database a CI fleet shares
(against a real redis-server started here), and the local folder, said so, when Redis is out of reach."""
import shutil
import socket
import subprocess
import time

import pytest

from conformance.example_database import LOCAL, example_database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server on this machine (apt-get install redis-server; .ci/run installs it)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_failure_one_runner_saves_is_what_the_next_runner_replays_first(redis_url):
    tonight, says = example_database(redis_url)
    assert "Redis, shared" in says and type(tonight).__name__ == "RedisExampleDatabase"
    tonight.save(b"dwconf:seed_te-llvm", b"a failing choice sequence")
    tomorrow, _ = example_database(redis_url)  # another runner, another connection
    assert list(tomorrow.fetch(b"dwconf:seed_te-llvm")) == [b"a failing choice sequence"]


def test_a_runner_that_cannot_reach_redis_keeps_its_local_folder_and_says_so():
    database, says = example_database(f"redis://127.0.0.1:{free_port()}/0")
    assert type(database).__name__ == "DirectoryBasedExampleDatabase"
    assert "is out of reach" in says and str(LOCAL) in says


def test_a_folder_is_a_folder(tmp_path):
    database, says = example_database(str(tmp_path / "db"))
    database.save(b"k", b"v")
    assert list(database.fetch(b"k")) == [b"v"] and str(tmp_path / "db") in says

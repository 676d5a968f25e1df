"""Two ``agribot run --account X`` on one database (SQLite and PostgreSQL): the second exits
non-zero with one line naming the first (host, pid, since); the first goes on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, unpaced

pytestmark = pytest.mark.e2e
ACCOUNT = "jilin-kexie"
TIMEOUT = 120.0  # importing wechaty and building the classifier on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(home: Path, db_url: str) -> list[str]:
    return [sys.executable, "-m", "bot", "run", "--home", str(home), "--db", db_url,
            "--account", ACCOUNT, "--port", str(free_port())]


@pytest.fixture
def first(demo_copy: Path, db_url: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(run(unpaced(demo_copy), db_url), cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the bot says it is ready (or dies)
            if "已就绪" in line:
                break
        else:
            pytest.fail(f"the first bot ended with {process.wait()} before it was ready")
        yield process
    finally:
        process.kill()
        process.communicate()


def test_second_process_for_the_account_is_refused_in_one_line(
        first: subprocess.Popen[str], demo_copy: Path, db_url: str) -> None:
    second = subprocess.run(run(demo_copy, db_url), cwd=REPO, capture_output=True, text=True,
                            timeout=TIMEOUT, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert second.returncode == 1, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert ACCOUNT in lines[0] and f"进程号 {first.pid}" in lines[0]
    assert socket.gethostname() in lines[0] and " 起" in lines[0]
    assert "Traceback" not in second.stderr
    assert first.poll() is None  # the holder was not disturbed

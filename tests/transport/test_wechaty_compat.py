"""Each python-wechaty quirk that bot/transport/wechaty_compat.py works around, pinned: when an
upgrade fixes or changes one, a test here fails and the workaround can go."""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.transport import wechaty_compat as wc
from bot.transport.local_puppet import LocalPuppet
from bot.transport.local_world import LocalWorld
from bot.transport.wechaty_adapter import WechatyAdapter
from tests.conftest import REPO
from tests.transport.conftest import TIMEOUT

PAGE = (b"<html><head><meta property='og:title' content='OG title'/>"
        b"<meta property='og:description' content='OG text'/></head><body>hi</body></html>")


@pytest.fixture
def web() -> Iterator[tuple[str, list[str]]]:
    """A local page with OpenGraph tags; yields its URL and the paths requested."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page", hits
    server.shutdown()
    server.server_close()
    thread.join()


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_importing_wechaty_without_the_shim_fails(tmp_path: Path) -> None:
    """Plain `import wechaty` dies on 3.11: PuppetOptions is a mutable dataclass default."""
    done = _python("import wechaty", tmp_path)
    assert done.returncode != 0
    assert "mutable default" in done.stderr and "PuppetOptions" in done.stderr


def test_compat_imports_and_leaves_no_cache_folder(tmp_path: Path) -> None:
    """With the shim wechaty imports, and the `.wechaty/` folder the import makes is removed."""
    done = _python("import bot.transport.wechaty_compat as c; print(c.Wechaty.__name__)", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Wechaty"
    assert not (tmp_path / ".wechaty").exists()


def test_import_with_the_bare_shim_creates_the_cache_folder(tmp_path: Path) -> None:
    """The hash shim alone suffices to import wechaty, which makes `.wechaty/` in the cwd."""
    done = _python("from wechaty_puppet.schemas import puppet as p\n"
                   "p.PuppetOptions.__hash__ = object.__hash__\n"
                   "import wechaty", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".wechaty").is_dir()


def test_url_link_create_fetches_the_page(web: tuple[str, list[str]]) -> None:
    """`UrlLink.create()` requests the URL for OpenGraph data; `url_link` requests nothing."""
    url, hits = web
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its HTML parsing warns too; the request is the point
        created = wc.UrlLink.create(url)
    assert hits == ["/page"]
    assert created.payload.title == "OG title"
    ours = wc.url_link(url, "我们的标题", "简介")
    assert hits == ["/page"]
    assert (ours.title, ours.description, ours.url) == ("我们的标题", "简介", url)


def test_file_box_from_url_without_name_downloads(web: tuple[str, list[str]]) -> None:
    """`FileBox.from_url(url, None)` downloads the file to invent a name from its content."""
    url, hits = web
    with pytest.warns(DeprecationWarning, match="warn"):  # and it calls Logger.warn
        box = wc.FileBox.from_url(url, None)
    assert hits == ["/page"]
    assert box.name != "page"


def test_file_box_from_file_calls_deprecated_logger_warn(tmp_path: Path) -> None:
    """`FileBox.from_file` sets mimeType through `Logger.warn`, deprecated; ours does not."""
    path = tmp_path / "讲义.pdf"
    path.write_bytes(b"%PDF-1.4 test")
    with pytest.warns(DeprecationWarning, match="warn"):
        wc.FileBox.from_file(str(path))
    box = wc.file_box(path, "讲义.pdf")  # filterwarnings=error: any warning fails here
    assert (box.name, box.mediaType, wc.file_box_size(box)) == ("讲义.pdf", "application/pdf", 13)
    assert not hasattr(box, "localPath")
    assert wc.file_box(path, "x.pdf", keep_path=True).localPath == str(path)


def test_default_wechaty_would_open_job_db_in_cwd(world: LocalWorld) -> None:
    """Without a scheduler, Wechaty builds a job store at `.wechaty/job.db` (not started here)."""
    bot = wc.Wechaty(wc.WechatyOptions(puppet=LocalPuppet(world, world_account(world)),
                                       puppet_options=wc.PuppetOptions()))
    stores = bot._plugin_manager.scheduler._jobstores
    assert any(".wechaty/job.db" in str(getattr(s, "engine", "") and s.engine.url)
               for s in stores.values())


def world_account(world: LocalWorld) -> str:
    return world.bots()[0].removeprefix("wxid_bot_")


async def test_our_wechaty_runs_without_job_db(world: LocalWorld, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A full login and stop with `make_wechaty` creates no `.wechaty/job.db` in the cwd."""
    monkeypatch.chdir(tmp_path)
    account = world_account(world)
    bot = wc.make_wechaty(LocalPuppet(world, account))
    assert isinstance(bot._plugin_manager.scheduler, AsyncIOScheduler)
    async with WechatyAdapter(account, lambda: LocalPuppet(world, account)) as adapter:
        await adapter.wait_ready(TIMEOUT)
    assert not (tmp_path / ".wechaty" / "job.db").exists()


@pytest.fixture
def port_5000() -> Iterator[None]:
    """Port 5000 taken, as it is on machines running other web apps."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 5000))
        sock.listen()
    except OSError:
        pass  # someone else holds it: taken all the same
    yield
    sock.close()


async def test_default_port_refuses_to_start_when_5000_is_taken(port_5000: None,
                                                                world: LocalWorld) -> None:
    """Wechaty's plugin manager raises at login when its port 5000 is in use."""
    bot = wc.Wechaty(wc.WechatyOptions(puppet=LocalPuppet(world, world_account(world)),
                                       puppet_options=wc.PuppetOptions(),
                                       scheduler=AsyncIOScheduler()))
    assert bot._plugin_manager.endpoint[1] == 5000
    with pytest.raises(Exception, match="5000"):
        await bot._plugin_manager.start()
    bot._plugin_manager.scheduler.shutdown(wait=False)
    await asyncio.sleep(0)  # let the queued shutdown run


async def test_our_bot_starts_with_5000_taken(port_5000: None, world: LocalWorld) -> None:
    """`make_wechaty` picks a free port, so the bot logs in and is ready anyway."""
    account = world_account(world)
    errors: list[BaseException] = []
    async with WechatyAdapter(account, lambda: LocalPuppet(world, account),
                              on_error=errors.append) as adapter:
        await adapter.wait_ready(TIMEOUT)
        assert adapter.bot._plugin_manager.endpoint[1] != 5000
    assert errors == []


class _Broken(LocalPuppet):
    async def start(self) -> None:
        raise RuntimeError("puppet exploded")


async def test_wechaty_start_swallows_errors_and_ours_raises(
        world: LocalWorld, capsys: pytest.CaptureFixture[str]) -> None:
    """`Wechaty.start()` prints a failure and returns; `wechaty_compat.start` raises it."""
    account = world_account(world)
    theirs = wc.make_wechaty(_Broken(world, account))
    await theirs.start()
    assert theirs.started is False
    assert "puppet exploded" in capsys.readouterr().out
    await wc.stop(theirs)
    ours = wc.make_wechaty(_Broken(world, account))
    with pytest.raises(RuntimeError, match="puppet exploded"):
        await wc.start(ours)
    await wc.stop(ours)


async def test_contact_cache_is_shared_between_bots_unless_isolated(world: LocalWorld) -> None:
    """Upstream, every Wechaty shares one Contact cache; `wechaty_compat.start` splits it."""
    account = world_account(world)
    first = wc.make_wechaty(LocalPuppet(world, account))
    second = wc.make_wechaty(LocalPuppet(world, account))
    await first.init_puppet()
    await second.init_puppet()
    assert first.Contact._pool is second.Contact._pool
    assert first.Room._pool is second.Room._pool
    runs = [asyncio.create_task(wc.start(bot)) for bot in (first, second)]
    await asyncio.sleep(0)  # both past init_puppet, now waiting in the puppet's start()
    assert first.Contact._pool is not second.Contact._pool
    assert first.Room._pool is not second.Room._pool
    for bot in (first, second):
        await wc.stop(bot)
    await asyncio.gather(*runs)


def test_wechaty_loggers_are_quiet_by_default() -> None:
    """Its loggers would print every message's text at INFO; compat defaults them to WARNING."""
    assert logging.getLogger("Wechaty").level == logging.WARNING


def test_service_puppet_needs_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without token or endpoint in the environment there is no service puppet."""
    for name in (wc.SERVICE_TOKEN_ENV, wc.SERVICE_ENDPOINT_ENV, "TOKEN", "token", "ENDPOINT",
                 "endpoint"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match=wc.SERVICE_TOKEN_ENV):
        wc.service_puppet()


def test_service_token_never_reaches_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """PuppetService logs token and endpoint when both are set; the token is masked."""
    monkeypatch.setenv(wc.SERVICE_TOKEN_ENV, "puppet_secret_token_123")
    monkeypatch.setenv(wc.SERVICE_ENDPOINT_ENV, "127.0.0.1:1")
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("PuppetService")
    logger.addHandler(handler)
    try:
        puppet = wc.service_puppet()
    finally:
        logger.removeHandler(handler)
    assert any("token<***>" in line for line in lines)
    assert not any("puppet_secret_token_123" in line for line in lines)
    assert puppet.options.token == "puppet_secret_token_123"

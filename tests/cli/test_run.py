"""``agribot run`` refuses what it cannot do before starting anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main


def test_wechaty_without_a_gateway_is_a_clear_error(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """With neither token nor endpoint in the environment, run says which variables to set."""
    monkeypatch.delenv("WECHATY_PUPPET_SERVICE_TOKEN", raising=False)
    monkeypatch.delenv("WECHATY_PUPPET_SERVICE_ENDPOINT", raising=False)
    assert main(["run", "--transport", "wechaty", "--home", str(demo_copy)]) == 2
    err = capsys.readouterr().err
    assert "WECHATY_PUPPET_SERVICE_TOKEN" in err and "Traceback" not in err
    assert not (demo_copy / "data").exists()  # nothing was started, not even the database


def test_unknown_account_is_refused(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--account must name an account of bot.yaml."""
    assert main(["run", "--account", "nobody", "--home", str(demo_copy)]) == 2
    assert "nobody" in capsys.readouterr().err


def test_public_simulator_needs_a_token(demo_copy: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Serving the simulator beyond loopback without a token is refused."""
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["run", "--host", "0.0.0.0", "--port", "0", "--home", str(demo_copy),
                 "--db", db]) == 2
    assert "0.0.0.0" in (err := capsys.readouterr().err) and "token" in err

"""Progress bars show on a terminal and stay silent in pipes."""

from __future__ import annotations

import io

from bot.stats.progress import progress_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_in_a_pipe() -> None:
    """A stream that is not a terminal gets no bar and no output."""
    out = io.StringIO()
    with progress_bar("汇总事件", 100, stream=out) as update:
        assert update is None
    assert out.getvalue() == ""


def test_bar_on_a_terminal() -> None:
    """A terminal gets a bar that moves as work is done."""
    out = FakeTerminal()
    with progress_bar("汇总事件", 100, stream=out) as update:
        assert update is not None
        update(50)
        update(100)
    assert "汇总事件" in out.getvalue()

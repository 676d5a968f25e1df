"""Keeping secrets out of logs. HTTP and gRPC libraries log whole request URLs (a WeCom robot's
key is in its URL) and header values (a gateway token travels as ``:authority``); the bot's own
error messages can quote them too. A secret registered here is replaced by ``***`` in every
record of the loggers it is registered for, and in any text passed to :func:`scrub`."""

from __future__ import annotations

import logging
import threading

# hpack logs every header it decodes at DEBUG, a gateway token included.
logging.getLogger("hpack").setLevel(logging.INFO)


class _SecretFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()  # the WeCom client logs from worker threads

    def add(self, secret: str) -> None:
        with self._lock:
            self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record is logging's to report, not ours to raise
                return True
            scrubbed = self.scrub(message)
            if scrubbed != message:
                record.msg, record.args = scrubbed, None
        return True


_FILTER = _SecretFilter()


def hide(secret: str, *loggers: str) -> None:
    """Never let ``secret`` through the named loggers (a logger's filters only see records
    made on that very logger, so each one that may print it is named)."""
    if not secret:
        return
    _FILTER.add(secret)
    for name in loggers:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def scrub(text: str) -> str:
    """``text`` with every registered secret replaced."""
    return _FILTER.scrub(text)

"""Secrets never reach the logs of the loggers they are hidden from."""

from __future__ import annotations

import logging

import pytest

from bot import logsafe


def test_hidden_secret_is_replaced_in_messages_and_args(caplog: pytest.LogCaptureFixture) -> None:
    """A secret in the format string or in its arguments is printed as ***."""
    logsafe.hide("s3cr3t-key", "agribot.test.logsafe")
    logger = logging.getLogger("agribot.test.logsafe")
    with caplog.at_level(logging.DEBUG, "agribot.test.logsafe"):
        logger.debug("GET /send?key=s3cr3t-key")
        logger.info("token %s refused", "s3cr3t-key")
    assert "s3cr3t-key" not in caplog.text and caplog.text.count("***") == 2
    assert logsafe.scrub("url?key=s3cr3t-key") == "url?key=***"


def test_malformed_record_is_left_to_logging() -> None:
    """A record whose arguments do not fit its format does not make the filter raise."""
    logsafe.hide("another-secret", "agribot.test.logsafe.bad")
    logger = logging.getLogger("agribot.test.logsafe.bad")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "%s %s", ("one",), None)
    assert all(f.filter(record) for f in logger.filters)

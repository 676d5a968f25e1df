"""Photos on a transport that sends no files (WeCom 智能机器人: SDK 1.0.2 uploads nothing).

The decrypted photo a technician sent is kept under the home's ``data/photos/`` named by its
SHA-256 (the question's event records the digest), and the expert gets a markdown link
``<base>/photo/<token>`` that serves it for :data:`LIFETIME`. WeCom's markdown renders no
images (only the webhook's markdown_v2 does), so the message is a plain link.

A token is ``<expiry, unix seconds in hex>-<sha256>-<HMAC-SHA256, 128 bits>``, signed with a key
kept in the data folder: it cannot be guessed, altered or stretched, and needs no table; the
link is made at send time, so a message that waited in the outbox still gets its full week.
An unknown, altered or expired token gets a plain Chinese 404 page.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from bot import messages as msg
from bot.core.messages import FileOut, ImageOut, Payload, TextOut
from bot.digests import sha256_of

FOLDER = "photos"  # under the home's data folder
PATH = "/photo/"
LIFETIME = timedelta(days=7)
KEY_FILE = Path("secrets") / "photo-links.key"  # under the data folder, mode 0600
_TOKEN = re.compile(r"([0-9a-f]{1,12})-([0-9a-f]{64})-([0-9a-f]{32})")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".heic", ".mp4",
                       ".mov", ".3gp"})
_VIDEO = frozenset({".mp4", ".mov", ".3gp"})
_keys: dict[Path, bytes] = {}


def folder(data: Path) -> Path:
    return data / FOLDER


def keep(data: Path, source: Path) -> tuple[Path, str, int]:
    """Place ``source`` as ``data/photos/<sha256><suffix>`` (a hard link when the file system
    allows) and return where, its digest and its size. The same photo twice is kept once."""
    digest = sha256_of(source)
    suffix = source.suffix.lower() if source.suffix.lower() in _SUFFIXES else ""
    target = folder(data) / f"{digest}{suffix}"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            pass  # kept meanwhile by another turn: the same bytes
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, target)
    return target, digest, target.stat().st_size


def _key(data: Path) -> bytes:
    """The signing key, made on first use; written aside and linked into place, so two
    processes starting at once agree on one key and nobody reads a half-written file."""
    path = data / KEY_FILE
    if path in _keys:
        return _keys[path]
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
        aside.unlink()
    _keys[path] = key = path.read_bytes()
    return key


def _signature(data: Path, expires: str, digest: str) -> str:
    return hmac.new(_key(data), f"{expires}-{digest}".encode(), hashlib.sha256).hexdigest()[:32]


def sign(data: Path, digest: str, expires: datetime) -> str:
    stamp = f"{int(expires.timestamp()):x}"
    return f"{stamp}-{digest}-{_signature(data, stamp, digest)}"


def opened(data: Path, token: str, now: datetime) -> Path | None:
    """The kept photo ``token`` stands for, while it is valid; else ``None``."""
    found = _TOKEN.fullmatch(token)
    if found is None:
        return None
    stamp, digest, signature = found.groups()
    if not hmac.compare_digest(signature, _signature(data, stamp, digest)):
        return None
    if int(stamp, 16) <= now.timestamp():
        return None
    return next((p for p in sorted(folder(data).glob(f"{digest}*"))
                 if p.stem == digest and p.is_file()), None)


def kept_digest(data: Path, path: str) -> str | None:
    """The digest of ``path`` when it is a photo kept by :func:`keep`, else ``None``."""
    candidate = Path(path)
    if candidate.parent != folder(data) or not _DIGEST.fullmatch(candidate.stem):
        return None
    return candidate.stem if candidate.is_file() else None


def as_link(data: Path, payload: Payload, base: str | None, now: datetime) -> Payload:
    """What a transport without files sends for ``payload``: a kept photo or video becomes a
    markdown link to it; anything else (or no base to link to) is left as it is."""
    if not isinstance(payload, ImageOut | FileOut) or base is None:
        return payload
    if isinstance(payload, FileOut) and payload.fallback is not None:
        return payload  # a course file: it has its own link card
    digest = kept_digest(data, payload.path)
    if digest is None:
        return payload
    url = base.rstrip("/") + PATH + sign(data, digest, now + LIFETIME)
    if isinstance(payload, ImageOut):
        kind = msg.QA_IMAGE
    else:
        kind = msg.QA_VIDEO if Path(payload.path).suffix in _VIDEO else msg.PHOTO_FILE
    return TextOut(msg.PHOTO_LINK.format(kind=kind, url=url, days=LIFETIME.days))

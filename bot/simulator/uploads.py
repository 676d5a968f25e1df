"""A photo, video or file sent by a member through the simulator: ``{"media": {"name", "base64"}}``.

The kind is read from the file's extension, as WeChat shows a message by what the file is; the
bytes are kept under the home's ``data/simulator/uploads/`` so the puppet can hand them to the bot
as a real file, exactly as a photo arrives from WeChat. Everything wrong with an upload is a
:class:`~bot.simulator.errors.ApiError` with a Chinese message and the HTTP status.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot import messages as msg
from bot.simulator.errors import ApiError

UploadKind = Literal["image", "video", "file"]
MAX_BYTES = 20 * 1024 * 1024  # WeChat's own limit for a photo sent from a phone is about 25 MB
MAX_NAME = 100
# base64 grows data by 4/3; the rest of the JSON body is small
MAX_BODY = MAX_BYTES * 4 // 3 + 64 * 1024
KINDS: dict[str, UploadKind] = {
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".heic"), "image"),
    **dict.fromkeys((".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv"), "video"),
    **dict.fromkeys((".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".csv",
                     ".md", ".zip", ".rar", ".7z", ".mp3", ".amr", ".m4a", ".wav"), "file"),
}
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")
_counter = itertools.count(1)


@dataclass(frozen=True)
class Upload:
    name: str
    kind: UploadKind
    data: bytes


def read_upload(value: Any) -> Upload:
    """The upload in a request's ``media`` field, checked."""
    if not isinstance(value, dict):
        raise ApiError(400, msg.SIM_ERR_MEDIA_SHAPE)
    name, encoded = value.get("name"), value.get("base64")
    if not isinstance(name, str) or not isinstance(encoded, str):
        raise ApiError(400, msg.SIM_ERR_MEDIA_SHAPE)
    name = _UNSAFE.sub("_", name).strip().strip(".")
    if not name or len(name) > MAX_NAME:
        raise ApiError(400, msg.SIM_ERR_MEDIA_NAME.format(limit=MAX_NAME))
    kind = KINDS.get(Path(name).suffix.lower())
    if kind is None:
        raise ApiError(415, msg.SIM_ERR_MEDIA_KIND.format(
            suffix=Path(name).suffix or "（无）", known=" ".join(sorted(KINDS))))
    if "," in encoded[:100] and encoded.startswith("data:"):  # a data: URL from FileReader
        encoded = encoded.split(",", 1)[1]
    if len(encoded) > MAX_BODY:
        raise ApiError(413, msg.SIM_ERR_MEDIA_TOO_LARGE.format(limit=MAX_BYTES // 1024 // 1024))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, msg.SIM_ERR_MEDIA_BASE64) from None
    if not data:
        raise ApiError(400, msg.SIM_ERR_MEDIA_EMPTY)
    if len(data) > MAX_BYTES:
        raise ApiError(413, msg.SIM_ERR_MEDIA_TOO_LARGE.format(limit=MAX_BYTES // 1024 // 1024))
    return Upload(name, kind, data)


def store(upload: Upload, folder: Path) -> Path:
    """Write the upload under ``folder`` with a name no other upload has."""
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        path = folder / f"{next(_counter):06d}-{upload.name}"
        if not path.exists():
            break
    path.write_bytes(upload.data)
    return path

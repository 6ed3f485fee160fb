"""Which files an order may carry: an allowlist by extension, checked against the file's content.

Attachments come from citizens (portal, channels), agents and units, and are downloaded by staff.
A file the browser could run (HTML, SVG, scripts) or a program must never be stored: the
extension must be on the list, and its first bytes must look like that kind of file (the
client's content type is not trusted). Sniffing reads only the head of the file, so it is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.utils.translation import gettext as _

from hotline.core.conf import hotline_int
from hotline.workorders.errors import InvalidInput

HEAD_BYTES = 2048

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word/Excel/PowerPoint 97-2003, older WPS files
ZIP = b"PK\x03\x04"  # OOXML (docx…), OpenDocument, newer WPS files
ASF = b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"  # Windows Media
MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body", b"<iframe")


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda h: h[:4] == b"RIFF" and h[8:12] == kind


def _ftyp(h: bytes) -> bool:
    """ISO media (HEIC photos, M4A recordings): a box named "ftyp" at offset 4."""
    return h[4:8] == b"ftyp"


def _mp3(h: bytes) -> bool:
    return h[:3] == b"ID3" or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xE0 == 0xE0)


def _aac(h: bytes) -> bool:
    return h[:4] == b"ADIF" or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xF6 == 0xF0)


def _text(h: bytes) -> bool:
    """Plain text: no NUL byte, decodable (UTF-8 or GB18030), and not a web page in disguise."""
    if b"\x00" in h:
        return False
    start = h.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if start.startswith(MARKUP):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # The head may cut a character in two: ignore a broken tail of up to 3 bytes.
            h[: len(h) - 3 if len(h) == HEAD_BYTES else len(h)].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda h: h.startswith(prefixes)


# extension → (content type sent on download, test of the file's first bytes)
ALLOWED: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    # images
    "jpg": ("image/jpeg", _starts(b"\xff\xd8")),
    "jpeg": ("image/jpeg", _starts(b"\xff\xd8")),
    "png": ("image/png", _starts(b"\x89PNG")),
    "gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", _riff(b"WEBP")),
    "bmp": ("image/bmp", _starts(b"BM")),
    "tif": ("image/tiff", _starts(b"II*\x00", b"MM\x00*")),
    "tiff": ("image/tiff", _starts(b"II*\x00", b"MM\x00*")),
    "heic": ("image/heic", _ftyp),
    "heif": ("image/heif", _ftyp),
    # PDF
    "pdf": ("application/pdf", _starts(b"%PDF-")),
    # Office, OpenDocument and WPS documents
    "doc": ("application/msword", _starts(OLE)),
    "xls": ("application/vnd.ms-excel", _starts(OLE)),
    "ppt": ("application/vnd.ms-powerpoint", _starts(OLE)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _starts(ZIP),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _starts(ZIP)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _starts(ZIP),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", _starts(ZIP)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _starts(ZIP)),
    "odp": ("application/vnd.oasis.opendocument.presentation", _starts(ZIP)),
    "wps": ("application/vnd.ms-works", _starts(OLE, ZIP)),
    "et": ("application/vnd.ms-excel", _starts(OLE, ZIP)),
    "dps": ("application/vnd.ms-powerpoint", _starts(OLE, ZIP)),
    "rtf": ("application/rtf", _starts(b"{\\rtf")),
    # plain text
    "txt": ("text/plain", _text),
    "csv": ("text/csv", _text),
    # recordings
    "mp3": ("audio/mpeg", _mp3),
    "wav": ("audio/wav", _riff(b"WAVE")),
    "amr": ("audio/amr", _starts(b"#!AMR")),
    "m4a": ("audio/mp4", _ftyp),
    "aac": ("audio/aac", _aac),
    "ogg": ("audio/ogg", _starts(b"OggS")),
    "opus": ("audio/ogg", _starts(b"OggS")),
    "wma": ("audio/x-ms-wma", _starts(ASF)),
}


def accept_attr() -> str:
    """The file inputs' `accept` list, so the browser's picker offers the allowed types first."""
    return ",".join(f".{ext}" for ext in ALLOWED)


def _head(file: IO[Any]) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else str(head).encode()


def upload_check(*, name: str, size: int | None, file: IO[Any], field: str = "file") -> str:
    """Refuse a file that is empty, too large, of a type not on the list, or whose content does
    not match its extension; each error names the file. Returns the content type to store."""
    limit = hotline_int("ATTACHMENT_MAX_BYTES")
    if not size:
        raise InvalidInput(_("文件「{name}」为空").format(name=name), field=field)
    if size > limit:
        raise InvalidInput(
            _("文件「{name}」超过 {limit} MB").format(name=name, limit=limit // (1024 * 1024)),
            field=field,
        )
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise InvalidInput(
            _("文件「{name}」的类型不允许上传（允许：{kinds}）").format(
                name=name, kinds=_("图片、PDF、Office/WPS 文档、纯文本、音频")
            ),
            field=field,
        )
    content_type, sniff = ALLOWED[ext]
    if not sniff(_head(file)):
        raise InvalidInput(
            _("文件「{name}」的内容不是 .{ext} 文件").format(name=name, ext=ext), field=field
        )
    return content_type

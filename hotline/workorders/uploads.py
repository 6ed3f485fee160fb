"""Which files an order may carry: an allowlist by extension, checked against the file's content.

Attachments come from citizens (portal, channels), agents and units, and are downloaded by staff.
A file the browser could run (HTML, SVG, scripts) or a program must never be stored: the
extension must be on the list, and the file's content must be that kind of file (the client's
content type is not trusted).

The content is identified by libmagic (the `file` command's library, through python-magic),
which reads the head of the file: its rules tell a Word 2007+ document from a spreadsheet in the
same ZIP container, an OLE2 spreadsheet from a Word 97 file, a WAVE from a WebP in the same RIFF
container, and HTML or SVG from plain text. It is Debian's `libmagic1`, kept with the `file`
command, and so the most exact of the choices (`filetype` and `puremagic` carry fewer rules and
no text/markup classification). Besides, any file whose head holds a web page's tags (a GIF that
is also a page, say) is refused, and plain text must decode as UTF-8 or GB18030.

The extensions allowed are a city's choice: `settings.HOTLINE["ATTACHMENT_EXTENSIONS"]`
(environment `HOTLINE_ATTACHMENT_EXTENSIONS`), among the kinds `KINDS` knows."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.conf import hotline_int
from hotline.workorders.errors import InvalidInput

try:
    import magic
except ImportError as exc:  # python-magic raises ImportError when libmagic is not installed
    raise ImproperlyConfigured(
        "Checking uploads needs libmagic (Debian: apt-get install libmagic1; macOS: brew install "
        f"libmagic) and the python-magic package: {exc}"
    ) from exc

# libmagic's rules for Office documents and ISO media look a few kilobytes in.
HEAD_BYTES = 64 * 1024

# A web page's tags anywhere in the head: a polyglot (a valid image that is also a page) is
# refused like a page. A document's own text rarely holds them; an XMP packet's tags (<x:…,
# <rdf:…) are not among them.
MARKUP_RE = re.compile(
    rb"<\s*(?:script|html|svg|iframe|body|head|object|embed|meta)[\s>/]|<!doctype\s+html"
    rb"|javascript:",
    re.IGNORECASE,
)

IMAGE, PDF, DOCUMENT, TEXT, AUDIO, VIDEO = (
    gettext_lazy("图片"),
    "PDF",
    gettext_lazy("Office/WPS 文档"),
    gettext_lazy("纯文本"),
    gettext_lazy("音频"),
    gettext_lazy("视频"),
)

# What libmagic calls an OLE2 file it cannot tie to one program (WPS, older Office writers).
OLE = frozenset({"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class Kind:
    content_type: str  # sent on download
    detected: frozenset[str]  # libmagic's MIME types that match this extension
    group: str | Promise  # named in the error that lists what is allowed


def _kind(content_type: str, group: str | Promise, *also: str | frozenset[str]) -> Kind:
    detected = {content_type}
    for more in also:
        detected |= {more} if isinstance(more, str) else more
    return Kind(content_type, frozenset(detected), group)


# extension → kind. Text is not a signature: libmagic only has to find no other type in it.
KINDS: dict[str, Kind] = {
    "jpg": _kind("image/jpeg", IMAGE),
    "jpeg": _kind("image/jpeg", IMAGE),
    "png": _kind("image/png", IMAGE),
    "gif": _kind("image/gif", IMAGE),
    "webp": _kind("image/webp", IMAGE),
    "bmp": _kind("image/bmp", IMAGE, "image/x-ms-bmp"),
    "tif": _kind("image/tiff", IMAGE),
    "tiff": _kind("image/tiff", IMAGE),
    "heic": _kind("image/heic", IMAGE, "image/heif", "image/heic-sequence"),
    "heif": _kind("image/heif", IMAGE, "image/heic", "image/heif-sequence"),
    "pdf": _kind("application/pdf", PDF),
    "doc": _kind("application/msword", DOCUMENT, OLE),
    "xls": _kind("application/vnd.ms-excel", DOCUMENT, OLE),
    "ppt": _kind("application/vnd.ms-powerpoint", DOCUMENT, OLE),
    "docx": _kind(DOCX, DOCUMENT),
    "xlsx": _kind(XLSX, DOCUMENT),
    "pptx": _kind(PPTX, DOCUMENT),
    "odt": _kind("application/vnd.oasis.opendocument.text", DOCUMENT),
    "ods": _kind("application/vnd.oasis.opendocument.spreadsheet", DOCUMENT),
    "odp": _kind("application/vnd.oasis.opendocument.presentation", DOCUMENT),
    # WPS Office: OLE2 files of its own, or the OOXML it also writes.
    "wps": _kind("application/vnd.ms-works", DOCUMENT, "application/msword", OLE, DOCX),
    "et": _kind("application/vnd.ms-excel", DOCUMENT, OLE, XLSX),
    "dps": _kind("application/vnd.ms-powerpoint", DOCUMENT, OLE, PPTX),
    "rtf": _kind("application/rtf", DOCUMENT, "text/rtf"),
    "txt": _kind("text/plain", TEXT),
    "csv": _kind("text/csv", TEXT),
    "mp3": _kind("audio/mpeg", AUDIO),
    "wav": _kind("audio/wav", AUDIO, "audio/x-wav", "audio/vnd.wave"),
    "amr": _kind("audio/amr", AUDIO),
    "m4a": _kind("audio/mp4", AUDIO, "audio/x-m4a", "video/mp4"),
    "aac": _kind("audio/aac", AUDIO, "audio/x-hx-aac-adts", "audio/x-hx-aac-adif"),
    "ogg": _kind("audio/ogg", AUDIO, "application/ogg"),
    "opus": _kind("audio/ogg", AUDIO, "application/ogg", "audio/opus"),
    "wma": _kind("audio/x-ms-wma", AUDIO, "video/x-ms-asf", "audio/x-ms-asf"),
    # Known but not allowed by default: a city may add them (recordings of a site, say).
    "mp4": _kind("video/mp4", VIDEO),
    "mov": _kind("video/quicktime", VIDEO),
}
TEXT_EXTENSIONS = frozenset({"txt", "csv"})
# What libmagic may call a plain text (a line or two is "data" to it).
TEXT_DETECTED = frozenset({"text/plain", "text/csv", "application/csv", "application/octet-stream"})
DEFAULT_EXTENSIONS = tuple(ext for ext, kind in KINDS.items() if kind.group != VIDEO)


def allowed_extensions() -> tuple[str, ...]:
    """The city's allowlist: `settings.HOTLINE["ATTACHMENT_EXTENSIONS"]`, a list or a comma-
    separated string. Plain names replace the default list; names with + or - add to it or take
    from it (`+mp4,-bmp`). Empty: the default. An extension `KINDS` does not know is a
    configuration error, since its content could not be checked."""
    raw = getattr(settings, "HOTLINE", {}).get("ATTACHMENT_EXTENSIONS") or ()
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    names = [n.strip().lower().lstrip(".") for n in names if n.strip()]
    relative = [n for n in names if n[:1] in "+-"]
    if relative and len(relative) != len(names):
        raise ImproperlyConfigured(
            f"HOTLINE_ATTACHMENT_EXTENSIONS mixes a list with +/- changes: {raw!r}"
        )
    chosen = list(DEFAULT_EXTENSIONS) if relative or not names else []
    for name in names:
        ext = name.lstrip("+-.")
        if ext not in KINDS:
            raise ImproperlyConfigured(
                f"HOTLINE_ATTACHMENT_EXTENSIONS: no content check is known for {ext!r} "
                f"(known: {', '.join(KINDS)})"
            )
        if name.startswith("-"):
            chosen = [e for e in chosen if e != ext]
        elif ext not in chosen:
            chosen.append(ext)
    return tuple(chosen)


def accept_attr() -> str:
    """The file inputs' `accept` list, so the browser's picker offers the allowed types first."""
    return ",".join(f".{ext}" for ext in allowed_extensions())


def _head(file: IO[Any]) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else str(head).encode()


def _is_text(head: bytes) -> bool:
    """Plain text: no NUL byte, and decodable as UTF-8 or GB18030."""
    if b"\x00" in head:
        return False
    # A head shorter than the file may cut its last character in two: an incremental decoder
    # not told it is the end keeps such a tail back instead of failing on it.
    final = len(head) < HEAD_BYTES
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=final)
            return True
        except UnicodeDecodeError:
            continue
    return False


def content_matches(ext: str, head: bytes) -> bool:
    """Whether the head of a file is of the kind its extension names, and no web page."""
    if MARKUP_RE.search(head):
        return False
    detected = magic.from_buffer(head, mime=True)
    if ext in TEXT_EXTENSIONS:
        return detected in TEXT_DETECTED and _is_text(head)
    return detected in KINDS[ext].detected


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
    allowed = allowed_extensions()
    if ext not in allowed:
        groups = dict.fromkeys(str(KINDS[e].group) for e in allowed)
        raise InvalidInput(
            _("文件「{name}」的类型不允许上传（允许：{kinds}）").format(
                name=name, kinds="、".join(groups)
            ),
            field=field,
        )
    if not content_matches(ext, _head(file)):
        raise InvalidInput(
            _("文件「{name}」的内容不是 .{ext} 文件").format(name=name, ext=ext), field=field
        )
    return KINDS[ext].content_type

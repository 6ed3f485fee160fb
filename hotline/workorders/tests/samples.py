"""Real files of the kinds an order may carry, made in memory for the upload tests (no fixture
files, nothing downloaded): Pillow's images, python-docx and openpyxl documents, WeasyPrint's
PDF, the standard library's WAVE, and the formats simple enough to write by their spec."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
from functools import cache

from PIL import Image


def image(fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(out, fmt, **kw)
    return out.getvalue()


def png() -> bytes:
    return image("PNG")


def jpeg() -> bytes:
    return image("JPEG")


def docx(text: str = "关于供水恢复的说明") -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["路段", "停水时间"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt() -> bytes:
    """OpenDocument: a ZIP whose first member, stored uncompressed, names the type (ODF 1.2 §3.3)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return out.getvalue()


@cache
def pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>回复函</p>").write_pdf()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def mp3() -> bytes:
    """An ID3v2 tag, then MPEG-1 layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each)."""
    tag = b"ID3\x03\x00\x00" + bytes(4)
    return tag + (b"\xff\xfb\x90\x64" + bytes(413)) * 8


def amr() -> bytes:
    """AMR narrow-band (RFC 4867 §5): the magic line, then 12.2 kbit/s frames of 32 bytes."""
    return b"#!AMR\n" + (b"\x3c" + bytes(31)) * 10


def heic() -> bytes:
    """The ftyp box of a HEIC photo (ISO/IEC 23008-12) and an empty media box."""
    ftyp = b"ftypheic" + struct.pack(">I", 0) + b"mif1heic"
    return struct.pack(">I", 8 + len(ftyp) - 4) + ftyp + struct.pack(">I", 8) + b"mdat"

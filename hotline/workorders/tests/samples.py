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


def pptx() -> bytes:
    """OOXML (ECMA-376 part 2): the content-types part first, then the presentation part."""
    out = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/ppt/presentation.xml" ContentType="{main}"/>'
            "</Types>",
        )
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr("ppt/presentation.xml", '<?xml version="1.0"?><p:presentation/>')
    return out.getvalue()


def odf(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return out.getvalue()


def ole() -> bytes:
    """An OLE2 compound file's header (MS-CFB 2.2, version 3, 512-byte sectors), as Word and
    Excel 97-2003 and WPS write; libmagic names such a file without a directory only OLE2."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16)
    header += struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    return header + bytes(512 - len(header)) + bytes(1024)


def m4a() -> bytes:
    ftyp = b"ftypM4A " + bytes(4) + b"M4A mp42isom"
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 8) + b"mdat"


def aac() -> bytes:
    """ADTS frames (ISO/IEC 13818-7): a 7-byte header giving a 16-byte frame, and silence."""
    return (bytes([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC]) + bytes(9)) * 20


def _ogg_page(packet: bytes) -> bytes:
    """One Ogg page (RFC 3533) holding the stream's first packet, one segment."""
    head = b"OggS" + bytes([0, 2]) + bytes(8) + struct.pack("<II", 1, 0) + bytes(4)
    return head + bytes([1, len(packet)]) + packet


def ogg() -> bytes:
    """A Vorbis identification header (Vorbis I §4.2.2) in its Ogg page."""
    ident = b"\x01vorbis" + struct.pack("<IBI", 0, 1, 8000) + bytes(12) + bytes([0xB8, 1])
    return _ogg_page(ident)


def opus() -> bytes:
    """An Opus identification header (RFC 7845 §5.1) in its Ogg page."""
    return _ogg_page(b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0))


def wma() -> bytes:
    """The ASF header object (its GUID, size and count), as Windows Media audio starts."""
    guid = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
    return guid + struct.pack("<QIBB", 30, 0, 1, 2) + bytes(100)

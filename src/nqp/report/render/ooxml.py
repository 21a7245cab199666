"""Byte-identical Office files: python-docx and openpyxl stamp the time into ``docProps/core.xml``
and into every zip entry; :func:`normalize_ooxml` rewrites both to fixed values so that the same
results give the same DOCX/XLSX bytes in any process."""

from __future__ import annotations

import io
import re
import zipfile

FIXED_TIME = "2000-01-01T00:00:00Z"
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def unpack(data: bytes) -> list[tuple[str, bytes]]:
    src = zipfile.ZipFile(io.BytesIO(data))
    return [(n, src.read(n)) for n in src.namelist()]


def pack(parts: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``parts`` with fixed timestamps, ``[Content_Types].xml`` first, then name order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in sorted(parts, key=lambda p: (p[0] != "[Content_Types].xml", p[0])):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, blob, compresslevel=1)  # fast; Office reads any level
    return out.getvalue()


def normalize_ooxml(data: bytes) -> bytes:
    """The same package with fixed zip timestamps and fixed core-property dates."""
    parts = [(n, _STAMP.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", b) if n == "docProps/core.xml" else b)
             for n, b in unpack(data)]
    return pack(parts)

"""Byte-identical Office files: python-docx and openpyxl stamp the time into ``docProps/core.xml``
and into every zip entry; :func:`normalize_ooxml` rewrites both to fixed values so that the same
results give the same DOCX/XLSX bytes in any process."""

from __future__ import annotations

import io
import re
import zipfile

FIXED_TIME = "2000-01-01T00:00:00Z"
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def normalize_ooxml(data: bytes) -> bytes:
    """The same package with fixed zip timestamps, fixed core-property dates, entries in name order
    (``[Content_Types].xml`` first, as Office expects)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            blob = src.read(name)
            if name == "docProps/core.xml":
                blob = _STAMP.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", blob)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, blob)
    return out.getvalue()

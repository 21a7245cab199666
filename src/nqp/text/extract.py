"""Annual report file → list of page texts. PDF via pypdfium2 (PDFium, Apache-2.0/BSD), TXT as is.

Every way a document can fail raises :class:`~nqp.errors.DocumentError` with a short ``reason``
code (``encrypted``, ``broken``, ``empty``, ``no_text_layer``, ``too_large``, ``timeout``,
``encoding``, ``missing``) so that runs can list failures and go on.

PDFium is not thread-safe: calls are serialised by a process-wide lock (parallelism comes
from processes, see ``nqp.jobs``).
"""

from __future__ import annotations

import errno
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from nqp.errors import DocumentError

_PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """Per-document limits. ``seconds`` is checked between pages (a hard kill is the job
    runner's: see ``nqp.jobs.pool``); ``max_pages`` and ``max_mb`` reject huge files early."""

    seconds: float = 120.0
    max_pages: int = 2000
    max_mb: float = 200.0
    min_chars_per_page: float = 5.0  # below this on average: image-only / scanned


def _fail(reason: str, message: str, path: Path) -> DocumentError:
    err = DocumentError(message, file=str(path))
    err.reason = reason  # type: ignore[attr-defined]
    return err


def reason_of(exc: BaseException) -> str:
    """The short reason code of a document failure (``error`` for unexpected exceptions)."""
    return getattr(exc, "reason", "error")


def read_pdf_pages(path: Path, limits: Limits = Limits()) -> list[str]:
    """Text of each page, in order (PDFium's reading order; lines end with CRLF)."""
    import pypdfium2 as pdfium

    if not path.exists():
        raise _fail("missing", "file does not exist", path)
    size_mb = path.stat().st_size / 1e6
    if size_mb > limits.max_mb:
        raise _fail("too_large", f"{size_mb:.0f} MB > limit {limits.max_mb:.0f} MB", path)
    if size_mb == 0:
        raise _fail("empty", "file has 0 bytes", path)
    deadline = time.monotonic() + limits.seconds
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            msg = str(exc)
            if "password" in msg.lower():
                raise _fail("encrypted", "password-protected PDF", path) from None
            raise _fail("broken", msg, path) from None
        try:
            n = len(doc)
            if n == 0:
                raise _fail("empty", "PDF has no pages", path)
            if n > limits.max_pages:
                raise _fail("too_large", f"{n} pages > limit {limits.max_pages}", path)
            pages = []
            for i in range(n):
                if time.monotonic() > deadline:
                    raise _fail("timeout", f"over {limits.seconds:g} s after {i} of {n} pages", path)
                page = doc[i]
                tp = page.get_textpage()
                pages.append(tp.get_text_bounded())
                tp.close()
                page.close()
        except pdfium.PdfiumError as exc:
            raise _fail("broken", str(exc), path) from None
        finally:
            doc.close()
    chars = sum(len(p.strip()) for p in pages)
    if chars < limits.min_chars_per_page * len(pages):
        raise _fail("no_text_layer", f"{chars} characters on {len(pages)} pages (image-only or scanned)", path)
    return pages


def decode_text(data: bytes, path: Path) -> str:
    """Decode a TXT report with the warehouse's detector (``nqp.ingest.encoding``): BOM, UTF-16,
    UTF-8, then GB18030 (a superset of GBK).

    Fast paths, giving the detector's answers without its passes: without BOM and NUL bytes its
    first choice is strict UTF-8; when that fails after ASCII bytes only (no valid UTF-8 Chinese
    before the bad byte, the detector's sign of a damaged UTF-8 file) its next choice is strict
    GB18030. Other files, and files neither decodes, go to the detector (for its error)."""
    import codecs

    from nqp.errors import EncodingError
    from nqp.ingest.encoding import detect_encoding

    if b"\x00" not in data and not data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if data[:exc.start].isascii():
                try:
                    return data.decode("gb18030")
                except UnicodeDecodeError:
                    pass
    try:
        return data.decode(detect_encoding(data, str(path)))
    except EncodingError as exc:
        raise _fail("encoding", exc.message, path) from None


_MISSING = frozenset((errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP))  # where Path.exists() is False


def read_txt_pages(path: Path, limits: Limits = Limits()) -> list[str]:
    """A TXT report as pages: split at form feeds if present, else one page. The file is opened
    once (its size from the open file, not a stat of the path before)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        if exc.errno in _MISSING:
            raise _fail("missing", "file does not exist", path) from None
        raise
    with fh:
        size_mb = os.fstat(fh.fileno()).st_size / 1e6
        if size_mb > limits.max_mb:
            raise _fail("too_large", f"{size_mb:.0f} MB > limit {limits.max_mb:.0f} MB", path)
        data = fh.read()
    text = decode_text(data, path)
    if not text.strip():
        raise _fail("empty", "no text", path)
    return text.split("\f")


def read_pages(path: str | Path, limits: Limits = Limits()) -> list[str]:
    """Pages of a report, by extension (.pdf or .txt)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".pdf":
        return read_pdf_pages(path, limits)
    if ext == ".txt":
        return read_txt_pages(path, limits)
    raise _fail("unsupported", f"extension {ext!r} is neither .pdf nor .txt", path)

"""Text encoding of CSV/TXT exports: UTF-8 (with or without BOM), UTF-16, GB18030/GBK.

Order (measurement-reference §7.1: "sniff the BOM, then try utf-8 and fall back to gb18030"):
1. a BOM decides (UTF-8-BOM -> ``utf-8-sig``; FF FE / FE FF -> ``utf-16``);
2. no BOM but every other byte NUL -> UTF-16 LE/BE without BOM;
3. the whole file decodes as strict UTF-8 -> ``utf-8``; if it fails after non-ASCII text
   that was valid UTF-8, the file is damaged UTF-8 (:class:`EncodingError`), not GBK;
4. else strict GB18030 (a superset of GBK and GB2312, the encoding of older CSMAR exports);
5. else :class:`EncodingError` with the byte offset and line where decoding failed: GB18030's
   position when the file decodes as GB18030 further than as UTF-8 (a GBK file with one bad
   byte deep inside), else UTF-8's.
"""

from __future__ import annotations

import codecs

from nqp.errors import EncodingError

_CHUNK = 1 << 20
SAMPLE = 1 << 20  # bytes judged by :func:`utf8_by_sample`


def _first_error(data: bytes, encoding: str) -> UnicodeDecodeError | None:
    """The first decode error of ``data`` as ``encoding`` (offset absolute), or None.

    Decodes chunk by chunk so that a large file never exists twice as a Python str.
    """
    dec = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(data)
    for start in range(0, max(len(data), 1), _CHUNK):
        chunk = bytes(view[start:start + _CHUNK])
        final = start + _CHUNK >= len(data)
        try:
            dec.decode(chunk, final)
        except UnicodeDecodeError as exc:
            # bytes held back from the previous chunk (an incomplete sequence) come first
            try:
                held = len(dec.getstate()[0])
            except (AttributeError, TypeError):  # pragma: no cover - codec without state
                held = 0
            offset = start + exc.start - held
            return UnicodeDecodeError(exc.encoding, data, max(offset, 0), max(offset, 0) + 1, exc.reason)
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _looks_like_utf8_chinese(prefix: bytes) -> bool:
    """True if the valid-UTF-8 ``prefix`` holds real Chinese text: at least two CJK characters,
    and CJK / full-width forms make up 80% of its non-ASCII characters. (GBK bytes misread as
    UTF-8 give 2-byte sequences -- Latin, Greek, Hebrew... -- and almost never 3-byte CJK.)"""
    if prefix.isascii():
        return False
    text = prefix.decode("utf-8", errors="replace")
    non_ascii = [c for c in text if ord(c) > 0x7F]
    cjk = sum(1 for c in non_ascii if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
    return cjk >= 2 and cjk >= 0.8 * len(non_ascii)


def detect_encoding(data: bytes, file: str) -> str:
    """The Python codec name that decodes ``data`` (the whole file) without error.

    Returns one of ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``, ``utf-8``,
    ``gb18030``; raises :class:`EncodingError` naming ``file``, byte offset and line.
    """
    if data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    else:
        enc = _utf16_without_bom(data) or ""
    if enc:
        err = _first_error(data, enc)
        if err is not None:
            raise EncodingError(
                f"{file}: starts like {enc} but byte offset {err.start} cannot be decoded ({err.reason})",
                file=file, row=data.count(b"\n", 0, err.start) + 1)
        return enc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise EncodingError(
            f"{file}: contains a NUL byte at byte offset {nul}; not a text export "
            "(binary file, or UTF-16 without a byte-order mark?)",
            file=file, row=data.count(b"\n", 0, nul) + 1)
    utf8_err = _first_error(data, "utf-8")
    if utf8_err is None:
        return "utf-8"
    off = utf8_err.start
    line = data.count(b"\n", 0, off) + 1
    if _looks_like_utf8_chinese(data[:off]):
        # Chinese text before the bad byte was valid UTF-8, which GBK text practically never
        # is: a damaged UTF-8 file, not a GBK one (GB18030 would decode it into mojibake).
        raise EncodingError(
            f"{file}: the file is UTF-8 up to byte offset {off} (line {line}), where byte "
            f"0x{data[off]:02X} cannot be decoded; the file is damaged or mixes encodings",
            file=file, row=line)
    gb_err = _first_error(data, "gb18030")
    if gb_err is None:
        return "gb18030"
    if gb_err.start > off:  # GBK text that decodes further than UTF-8: the bad byte is GBK's
        gb_line = data.count(b"\n", 0, gb_err.start) + 1
        raise EncodingError(
            f"{file}: the file is GBK/GB18030 up to byte offset {gb_err.start} (line {gb_line}), where byte "
            f"0x{data[gb_err.start]:02X} cannot be decoded; the file is damaged or mixes encodings",
            file=file, row=gb_line)
    raise EncodingError(
        f"{file}: unknown text encoding: byte 0x{data[off]:02X} at byte offset {off} (line {line}) "
        "is neither UTF-8 nor GB18030/GBK; re-export the file as UTF-8 (or UTF-16/GBK)",
        file=file, row=line)


def utf8_by_sample(data: bytes) -> str | None:
    """``utf-8-sig`` or ``utf-8`` when :func:`detect_encoding` would say so if the rest of the
    file is valid UTF-8, judged without decoding the whole file; None when only
    :func:`detect_encoding` can judge.

    Rules, in :func:`detect_encoding`'s order: a UTF-8 BOM -> ``utf-8-sig``; a UTF-16 BOM, UTF-16
    without BOM or a NUL byte anywhere -> None; the first :data:`SAMPLE` bytes strict UTF-8 (a
    sequence cut by the sample's end is allowed) -> ``utf-8``; else None. The caller must read
    the whole file with a reader that validates UTF-8 (pyarrow's CSV reader checks every cell it
    converts) and call :func:`detect_encoding` if that reader finds anything wrong.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        return None
    if data.find(b"\x00") >= 0:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(data[:SAMPLE], len(data) <= SAMPLE)
    except UnicodeDecodeError:
        return None
    return "utf-8"

"""Real test PDFs: Chinese text drawn with reportlab's built-in CID font STSong-Light
(no font file needed; pypdfium2 extracts it back exactly), plus broken ones."""

from __future__ import annotations

from pathlib import Path

HEADER = "测试科技股份有限公司2021年年度报告全文"


def _canvas(path: Path, **kw):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path), **kw)


def make_pdf(path: Path, pages: list[list[str]], header: str | None = HEADER, page_numbers: bool = True,
             encrypt: str | None = None) -> Path:
    """One line of text per list item, top to bottom; a running header and page number per page."""
    c = _canvas(path, encrypt=encrypt) if encrypt else _canvas(path)
    for i, lines in enumerate(pages):
        c.setFont("STSong-Light", 10)
        if header:
            c.drawString(50, 810, header)
        y = 770
        for ln in lines:
            c.drawString(50, y, ln)
            y -= 15
        if page_numbers:
            c.drawString(290, 30, f"{i + 1} / {len(pages)}")
        c.showPage()
    c.save()
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A page holding only a picture (a scanned report has no text layer)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(img).rectangle([20, 20, 380, 180], outline="black", width=5)
    c = _canvas(path)
    c.drawImage(ImageReader(img), 50, 400, width=400, height=200)
    c.showPage()
    c.save()
    return path


def make_broken_pdf(path: Path, good: Path) -> Path:
    """The first 400 bytes of a good PDF."""
    path.write_bytes(good.read_bytes()[:400])
    return path

"""``report.html``: the whole run on one self-contained page (styles and images inline, no
script, nothing fetched): settings, sample construction, data dictionary, every table and
figure, warnings. On synthetic data a banner says so at the top of the page (sticky, so it is
on screen whatever the scroll position), in every section and on every printed page.

Pure: grids and figure bytes in, HTML text out.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence

from nqp.report.grid import Grid
from nqp.report.labels import Labels
from nqp.report.render.html import table_html

CSS = """
body{font-family:'Times New Roman','Noto Serif CJK SC','SimSun',serif;margin:0;color:#111;background:#fff}
main{max-width:1100px;margin:0 auto;padding:0 1.5em 3em}
header.top{padding:1em 1.5em;border-bottom:1px solid #ccc}
.banner{background:#fff3cd;color:#7a4b00;border:1px solid #e0b000;padding:0.5em 1em;font-weight:bold;font-family:sans-serif}
.banner.sticky{position:sticky;top:0;z-index:10;margin:0}
section{margin:2em 0;page-break-inside:avoid}
section > .banner{font-size:0.85em;margin:0.3em 0 0.8em}
h1{font-size:1.5em;margin:0.2em 0} h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:0.2em}
nav ul{columns:3;font-size:0.9em} figure{margin:1em auto;text-align:center}
figure img{max-width:100%;height:auto;border:1px solid #eee} figcaption{font-size:0.9em;color:#444}
table.kv{border-collapse:collapse;font-size:0.9em} table.kv td,table.kv th{border-bottom:1px solid #eee;padding:0.2em 0.8em;text-align:left}
.warnings li{font-family:monospace;font-size:0.85em}
@media print{.banner.sticky{position:static} section{page-break-before:auto}}
"""

_TEXT = {
    "zh": {"settings": "运行设置", "contents": "目录", "figures": "图", "warnings": "警告", "none": "无",
           "tables": "表", "robustness": "稳健性", "sample": "样本构建", "dictionary": "数据字典"},
    "en": {"settings": "Settings", "contents": "Contents", "figures": "Figures", "warnings": "Warnings",
           "none": "none", "tables": "Tables", "robustness": "Robustness", "sample": "Sample construction",
           "dictionary": "Data dictionary"},
}


def _text(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(_text(x) for x in v)
    if isinstance(v, Mapping):
        return "; ".join(f"{k}: {_text(x)}" for k, x in v.items())
    return "" if v is None else str(v)


def _kv(rows: Sequence[tuple[str, object]]) -> str:
    e = html.escape
    return '<table class="kv">' + "".join(f"<tr><th>{e(str(k))}</th><td>{e(_text(v))}</td></tr>" for k, v in rows) + \
        "</table>"


def _settings(results: Mapping) -> list[tuple[str, object]]:
    study = results.get("study") or {}
    rows: list[tuple[str, object]] = [
        ("study", f"{study.get('name', '')} ({study.get('file', '')})"),
        ("study sha256", study.get("sha256", "")), ("nqp", results.get("nqp_version", "")),
        ("format", results.get("format", "")), ("synthetic", results.get("synthetic", False)),
        ("seed", results.get("seed")),
    ]
    for k, v in sorted((results.get("defaults") or {}).items()):
        rows.append((f"defaults.{k}", v))
    for k, v in sorted((results.get("sample_rules") or {}).items()):
        rows.append((f"sample.{k}", v))
    if isinstance(results.get("index"), Mapping) and results["index"].get("method"):
        rows.append(("index.method", results["index"]["method"]))
    return rows


def _warnings(results: Mapping, extra: Sequence[str]) -> list[str]:
    out = [f"{w.get('where', '')}: {w.get('message', '')}" if isinstance(w, Mapping) else str(w)
           for w in results.get("warnings") or []]
    listed = set(out)
    for m in results.get("models") or []:
        for w in m.get("warnings") or []:
            line = f"model {m.get('id')}: {w}"
            if line not in listed:
                out.append(line)
                listed.add(line)
        if m.get("status", "ok") != "ok":
            out.append(f"model {m.get('id')}: not estimated: {m.get('error')}")
    return out + list(extra)


def report_html(results: Mapping, labels: Labels, *, sample: Grid | None, dictionary: Grid | None,
                tables: Sequence[Grid], figures: Sequence[tuple[str, str, bytes]],
                robustness: Sequence[tuple[str, str, bytes]] = (), warnings: Sequence[str] = (),
                banner: str | None = None) -> str:
    """The page. ``figures``/``robustness``: (name, caption, PNG bytes)."""
    e = html.escape
    lang = labels.lang
    t = _TEXT[lang]
    study = results.get("study") or {}
    title = study.get(f"title_{lang}") or study.get("title_zh") or study.get("name") or "nqp report"
    synthetic = bool(results.get("synthetic"))
    banner_text = banner or labels.word("synthetic")
    small = f'<p class="banner" role="note">{e(banner_text)}</p>' if synthetic else ""

    sections: list[tuple[str, str, str]] = []  # (anchor, heading, body)
    sections.append(("settings", t["settings"], _kv(_settings(results))))
    if sample is not None:
        notes = "".join(f"<p>{e(str(n))}</p>" for n in results.get("sample_notes") or [])
        sections.append(("sample", t["sample"], table_html(sample) + notes))
    if dictionary is not None:
        sections.append(("dictionary", t["dictionary"], table_html(dictionary)))
    for g in tables:
        sections.append((f"t-{g.id}", g.title, table_html(g)))
    for group, items in ((t["figures"], figures), (t["robustness"], robustness)):
        for name, caption, png in items:
            img = base64.b64encode(png).decode("ascii")
            body = (f'<figure id="figure-{e(name)}" data-figure="{e(name)}"><img alt="{e(caption)}" '
                    f'src="data:image/png;base64,{img}"><figcaption>{e(caption)}</figcaption></figure>')
            sections.append((f"f-{name}", f"{group}: {caption}", body))
    warn = _warnings(results, warnings)
    sections.append(("warnings", t["warnings"], '<ul class="warnings">' +
                     ("".join(f"<li>{e(w)}</li>" for w in warn) or f"<li>{t['none']}</li>") + "</ul>"))

    nav = "".join(f'<li><a href="#{e(a)}">{e(h)}</a></li>' for a, h, _ in sections)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<link rel=\"icon\" href=\"data:,\">",
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        (f'<p class="banner sticky" id="synthetic-banner" role="alert">{e(banner_text)}</p>' if synthetic else ""),
        f'<header class="top"><h1>{e(title)}</h1><p>{e(study.get("name", ""))} · nqp '
        f'{e(str(results.get("nqp_version", "")))}</p></header><main>',
        f'<nav><h2>{t["contents"]}</h2><ul>{nav}</ul></nav>',
    ]
    for anchor, heading, body in sections:
        parts.append(f'<section id="{e(anchor)}"><h2>{e(heading)}</h2>{small}{body}</section>')
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"

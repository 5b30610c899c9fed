"""The HTML error report of `chengnuo evaluate --report DIR`: per-label chart, label confusion,
boundary errors, and the false positives and negatives in their context."""
from __future__ import annotations

import html
import json
from pathlib import Path

from .evaluate import Scores


def _bar_chart(per_label: dict[str, dict]) -> str:
    """Grouped P/R/F1 bars as inline SVG (no plotting library needed to read the report)."""
    w, row, bar = 520, 54, 14
    parts = [f"<svg width='{w + 140}' height='{row * len(per_label) + 30}' xmlns='http://www.w3.org/2000/svg' font-size='12'>"]
    for i, (lab, r) in enumerate(per_label.items()):
        y = i * row + 10
        parts.append(f"<text x='0' y='{y + 24}'>{html.escape(lab)}</text>")
        for k, (name, color) in enumerate((("p", "#8ecae6"), ("r", "#ffb703"), ("f1", "#219ebc"))):
            length = r[name] * w
            parts.append(f"<rect x='90' y='{y + k * bar}' width='{length:.0f}' height='{bar - 2}' fill='{color}'/>"
                         f"<text x='{95 + length:.0f}' y='{y + k * bar + 11}'>{name} {r[name]:.2f}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _confusion(scores: Scores) -> str:
    conf = scores.errors.get("confusion", {})
    if not conf:
        return "<p>No span was found with the wrong label.</p>"
    labels = sorted({x for k in conf for x in k.split("->")})
    head = "".join(f"<th>{lab}</th>" for lab in labels)
    rows = []
    for g in labels:
        cells = "".join(f"<td>{conf.get(f'{g}->{p}', '') }</td>" for p in labels)
        rows.append(f"<tr><th>{g}</th>{cells}</tr>")
    return f"<table><tr><th>gold ↓ / predicted →</th>{head}</tr>{''.join(rows)}</table>"


def _error_table(items: list[dict], limit: int = 400) -> str:
    rows = [f"<tr><td>{html.escape(e['doc'])}</td><td>{e['label']}</td><td>{e['kind']}</td>"
            f"<td>{html.escape(e['context']).replace('【', '<b>').replace('】', '</b>')}</td></tr>" for e in items[:limit]]
    more = f"<p>… and {len(items) - limit} more (see scores.json)</p>" if len(items) > limit else ""
    return f"<table><tr><th>doc</th><th>label</th><th>kind</th><th>context</th></tr>{''.join(rows)}</table>{more}"


def write_report(scores: Scores, out: str | Path, title: str = "evaluation") -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scores.json").write_text(json.dumps(scores.as_dict(with_errors=True), ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    summary = "".join(
        f"<tr><td>{name}</td><td>{r['p']:.3f}</td><td>{r['r']:.3f}</td><td>{r['f1']:.3f}</td><td>{r['tp']}</td>"
        f"<td>{r['fp']}</td><td>{r['fn']}</td></tr>"
        for name, r in (("entities", scores.entities), ("relations", scores.relations),
                        ("commitment triples", scores.commitment_triples), ("all commitments", scores.commitments)))
    missed = "".join(f"<li>[{html.escape(str(c['speaker']))}] {html.escape(c['clause'])}</li>"
                     for c in scores.errors.get("commitments_missed", [])[:200])
    spurious = "".join(f"<li>[{html.escape(str(c['speaker']))}] {html.escape(c['clause'])}</li>"
                       for c in scores.errors.get("commitments_spurious", [])[:200])
    page = f"""<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}b{{background:#ffe08a}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{scores.documents} documents; missing from the predictions: {len(scores.missing_documents)}
{html.escape(', '.join(scores.missing_documents))}</p>
<table><tr><th></th><th>P</th><th>R</th><th>F1</th><th>tp</th><th>fp</th><th>fn</th></tr>{summary}</table>
<h2>Entities per label</h2>{_bar_chart(scores.per_label)}
<h2>Label confusion (right span, wrong label)</h2>{_confusion(scores)}
<h2>Boundary errors (overlapping span, same label) per label</h2>
<p>{html.escape(json.dumps(scores.errors.get('boundary', {}), ensure_ascii=False))}</p>
<h2>False positives</h2>{_error_table(scores.errors.get('false_positives', []))}
<h2>False negatives</h2>{_error_table(scores.errors.get('false_negatives', []))}
<h2>Commitments missed</h2><ul>{missed}</ul>
<h2>Commitments predicted but not in gold</h2><ul>{spurious}</ul>
</body></html>"""
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"

"""An HTML page for one or more records: entities highlighted with displaCy, commitments per speaker."""
from __future__ import annotations

import html
from collections import defaultdict

from spacy import displacy

COLORS = {"OFFICIAL": "#f4a261", "PERSON": "#e9c46a", "TITLE": "#8ecae6", "ORG": "#90be6d", "DISTRICT": "#b5e48c",
          "METRIC": "#cdb4db", "VALUE": "#ffafcc", "DATE": "#d9d9d9"}


def render_records(records: list[dict]) -> str:
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>chengnuo</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}h2{margin-top:2em}</style></head><body>"]
    for rec in records:
        ents = {e["id"]: e for e in rec.get("entities", [])}
        parts.append(f"<h2>{html.escape(str(rec['id']))}</h2>")
        data = {"text": rec["text"], "title": None,
                "ents": [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in rec.get("entities", [])]}
        parts.append(displacy.render(data, style="ent", manual=True, page=False,
                                     options={"colors": COLORS}).replace("\n", "<br>"))
        by_speaker: dict[str, list[dict]] = defaultdict(list)
        for c in rec.get("commitments", []):
            sp = ents.get(c["speaker"])
            by_speaker[sp["text"] if sp else "?"].append(c)
        parts.append("<h3>Commitments by speaker</h3><table><tr><th>speaker</th><th>commitment</th><th>metric</th>"
                     "<th>value</th><th>normalised</th><th>date</th><th>polarity</th><th>confidence</th></tr>")
        for speaker, items in by_speaker.items():
            for c in items:
                m, v, d = (ents.get(c.get(k)) for k in ("metric", "value", "date"))
                norm = v.get("normalized") if v else None
                cells = [speaker, rec["text"][c["start"]:c["end"]], m and m["text"], v and v["text"],
                         norm and f"{norm['number']:g} {norm['unit']} ({norm['bound']})", d and d["text"],
                         c["polarity"], c.get("confidence")]
                parts.append("<tr>" + "".join(f"<td>{html.escape(str(x)) if x is not None else ''}</td>" for x in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)

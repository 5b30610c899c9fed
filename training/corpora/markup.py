"""Inline annotation markup, the form annotators edit, and its conversion to schema records.

A markup file holds one document:

    # id: pd-19980101-01-001
    === text
    白云[[ORG:区委]][[TITLE:书记]][[OFFICIAL:洪谦]]表示…
    === annotations
    {"rel": "HOLDS", "head": "T3", "tail": "T2"}
    {"speaker": "T3", "clause": "推动全年GDP向3500亿元迈进", "metric": "T5", "value": "T6", "date": null, "polarity": "reach"}

Entities get ids T1, T2, … in order of appearance. Removing the markup must give back the source
text exactly. A clause is found by its text; when it occurs more than once, `"nth": k` picks the k-th
occurrence (1-based). `python -m training.corpora.markup check FILE...` lists the entity ids and
every problem; `... export FILE... -o OUT.jsonl` writes stand-off gold records.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from pipeline.schema import ENTITY_LABELS, validate_record

MARK = re.compile(r"\[\[([A-Z]+):(.+?)\]\]", re.S)


def parse_markup(path: Path) -> tuple[dict[str, Any], list[str]]:
    raw = path.read_text(encoding="utf-8")
    errors: list[str] = []
    doc_id = re.search(r"^# id: *(\S+)", raw, re.M)
    name = doc_id.group(1) if doc_id else path.stem
    try:
        body = raw.split("=== text\n", 1)[1]
    except IndexError:
        return {"id": name}, [f"{path}: no '=== text' line"]
    body, _, ann = body.partition("\n=== annotations")
    text_parts: list[str] = []
    entities: list[dict] = []
    pos = 0
    for m in MARK.finditer(body):
        text_parts.append(body[pos:m.start()])
        start = sum(map(len, text_parts))
        label, surface = m.group(1), m.group(2)
        if label not in ENTITY_LABELS:
            errors.append(f"{path}: unknown label {label!r} at {surface!r}")
        entities.append({"id": f"T{len(entities) + 1}", "label": label, "start": start,
                         "end": start + len(surface), "text": surface})
        text_parts.append(surface)
        pos = m.end()
    text_parts.append(body[pos:])
    text = "".join(text_parts)
    if "[[" in text or "]]" in text:
        errors.append(f"{path}: broken markup near {text[max(0, text.find('[[') - 10):text.find('[[') + 20]!r}")
    rec: dict[str, Any] = {"id": name, "text": text, "entities": entities, "relations": [], "commitments": []}
    for ln, line in enumerate(ann.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}: annotations line {ln}: not JSON ({exc})")
            continue
        if "rel" in item:
            rec["relations"].append({"type": item["rel"], "head": item["head"], "tail": item["tail"]})
            continue
        clause = item.get("clause", "")
        hits = [m.start() for m in re.finditer(re.escape(clause), text)] if clause else []
        nth = item.get("nth", 1)
        if len(hits) < nth:
            errors.append(f"{path}: annotations line {ln}: clause {clause!r} not found in the text")
            continue
        if len(hits) > 1 and "nth" not in item:
            errors.append(f"{path}: annotations line {ln}: clause {clause[:20]!r} occurs {len(hits)} times; add \"nth\"")
        s = hits[nth - 1]
        rec["commitments"].append({"speaker": item.get("speaker"), "start": s, "end": s + len(clause),
                                   "metric": item.get("metric"), "value": item.get("value"),
                                   "date": item.get("date"), "polarity": item.get("polarity")})
    errors += [f"{path}: {e}" for e in validate_record(rec)]
    return rec, errors


def check_against_source(rec: dict[str, Any], source_text: str) -> list[str]:
    text = rec["text"]
    if text == source_text:
        return []
    i = next((k for k, (a, b) in enumerate(zip(text, source_text)) if a != b), min(len(text), len(source_text)))
    return [f"{rec['id']}: text differs from the source at character {i}: "
            f"markup has {text[i:i + 15]!r}, source has {source_text[i:i + 15]!r}"]


def to_standoff(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in rec.items() if k != "text"}
    out["length"] = len(rec["text"])
    return out


def to_markup(rec: dict[str, Any]) -> str:
    """The markup file of a record (the inverse of `parse_markup`), for correcting gold documents."""
    text, parts, pos = rec["text"], [], 0
    ents = sorted(rec.get("entities", []), key=lambda e: e["start"])
    new_id = {e["id"]: f"T{i}" for i, e in enumerate(ents, 1)}
    for e in ents:
        parts += [text[pos:e["start"]], f"[[{e['label']}:{text[e['start']:e['end']]}]]"]
        pos = e["end"]
    parts.append(text[pos:])
    lines = [f"# id: {rec['id']}", "=== text", "".join(parts), "=== annotations"]
    for r in rec.get("relations", []):
        lines.append(json.dumps({"rel": r["type"], "head": new_id[r["head"]], "tail": new_id[r["tail"]]}))
    for c in rec.get("commitments", []):
        clause = text[c["start"]:c["end"]]
        item = {"speaker": new_id.get(c["speaker"]), "clause": clause}
        item.update({k: new_id.get(c.get(k)) if c.get(k) else None for k in ("metric", "value", "date")})
        item["polarity"] = c["polarity"]
        starts = [m.start() for m in re.finditer(re.escape(clause), text)]
        if len(starts) > 1:
            item["nth"] = starts.index(c["start"]) + 1
        lines.append(json.dumps(item, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from .gold import document_text, documents

    ap = argparse.ArgumentParser(description="check, export or build inline-annotated documents")
    sub = ap.add_subparsers(dest="command", required=True)
    for name, text in (("check", "list each file's entities and every problem"),
                       ("export", "write stand-off gold records of the valid files to -o OUT.jsonl"),
                       ("build", "rewrite annotations/gold/<split>.jsonl from every file given")):
        p = sub.add_parser(name, help=text)
        p.add_argument("files", nargs="+", type=Path)
        p.add_argument("-o", "--out", type=Path)
        p.add_argument("-q", "--quiet", action="store_true")
    p = sub.add_parser("from-gold", help="write markup files of a gold split, to correct it")
    p.add_argument("split")
    p.add_argument("out", nargs="?", type=Path, default=Path("annot"))
    args = ap.parse_args(argv)
    if args.command == "from-gold":
        return _from_gold(args.split, args.out)
    meta = {d["id"]: d for d in documents()}
    bad = 0
    out = args.out.open("w", encoding="utf-8") if args.out else None
    by_split: dict[str, list[dict]] = {}
    for f in args.files:
        rec, errors = parse_markup(f)
        if rec["id"] in meta and "text" in rec:
            errors += check_against_source(rec, document_text(meta[rec["id"]]))
        elif rec["id"] not in meta:
            errors.append(f"{f}: id {rec['id']!r} is not in annotations/documents.jsonl")
        if args.command == "check" and not args.quiet:
            for e in rec.get("entities", []):
                print(f"  {e['id']:>4} {e['label']:<9} {e['start']:>5}-{e['end']:<5} {e['text']}")
        for e in errors:
            print("ERROR", e)
        bad += bool(errors)
        if out and not errors:
            out.write(json.dumps(to_standoff(rec), ensure_ascii=False) + "\n")
        if args.command == "build" and not errors:
            by_split.setdefault(meta[rec["id"]]["split"], []).append(to_standoff(rec))
        print(f"{f}: {len(rec.get('entities', []))} entities, {len(rec.get('relations', []))} relations, "
              f"{len(rec.get('commitments', []))} commitments, {'OK' if not errors else f'{len(errors)} errors'}")
    if args.command == "build":
        from .gold import ANNOTATIONS

        order = {d["id"]: i for i, d in enumerate(documents())}
        for split, recs in sorted(by_split.items()):
            path = ANNOTATIONS / "gold" / f"{split}.jsonl"
            recs.sort(key=lambda r: order[r["id"]])
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
            print(f"wrote {path}: {len(recs)} documents")
    return 1 if bad else 0


def _from_gold(split: str, out: Path) -> int:
    """`python -m training.corpora.markup from-gold SPLIT [DIR]`: markup files to correct gold with."""
    from .gold import load_gold

    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for rec in load_gold(split):
        (out / f"{rec['id']}.ann").write_text(to_markup(rec), encoding="utf-8")
        n += 1
    print(f"wrote {n} markup files of {split} into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

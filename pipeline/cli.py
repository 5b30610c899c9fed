"""The `chengnuo` command: thin commands over the library (extract, render, evaluate, train, validate)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

app = typer.Typer(help="chengnuo: officials, targets and commitments from Chinese government and economic news.",
                  no_args_is_help=True, add_completion=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chengnuo {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """Chinese information extraction for government and economic news."""


def _pretty(rec: dict) -> str:
    ents = {e["id"]: e for e in rec.get("entities", [])}
    lines = [f"== {rec['id']} ({len(rec['text'])} characters)"]
    lines.append("entities: " + "  ".join(f"{e['text']}/{e['label']}" for e in rec["entities"]))
    for r in rec.get("relations", []):
        lines.append(f"  {r['type']}: {ents[r['head']]['text']} → {ents[r['tail']]['text']}")
    for c in rec.get("commitments", []):
        sp = ents.get(c["speaker"], {}).get("text")
        slots = ", ".join(f"{k}={ents[c[k]]['text']}" for k in ("metric", "value", "date") if c.get(k))
        lines.append(f"  [{sp}] {rec['text'][c['start']:c['end']]}  ({c['polarity']}{'; ' + slots if slots else ''})")
    return "\n".join(lines)


@app.command()
def extract(
    inputs: List[str] = typer.Argument(..., help="Files (.txt, .md, .jsonl, .parquet), folders, or - for stdin."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Write records to this .jsonl or .parquet file (archive mode: "
                                               "progress, chunked atomic output, --resume, an errors file beside it)."),
    fmt: str = typer.Option("jsonl", "--format", help="For stdout: jsonl (one record per line) or pretty."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped default model)."),
    text_field: str = typer.Option("text", "--text-field", help="JSONL key / Parquet column of the text."),
    id_field: str = typer.Option("id", "--id-field", help="JSONL key / Parquet column of the document id."),
    glob: str = typer.Option("*", help="Pattern for files inside folders (searched recursively)."),
    stdin_format: str = typer.Option("txt", help="What stdin holds: txt or jsonl."),
    batch_size: int = typer.Option(8, help="Documents per model batch."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (archive mode), each with its own model."),
    chunk_size: int = typer.Option(64, help="Documents per output chunk (the unit of --resume)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted archive run."),
    engine: str = typer.Option("local", "--engine", help="local or ray (archive mode)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to join, e.g. auto."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    threads: Optional[int] = typer.Option(None, "--threads", help="Torch threads per worker (default: cores // workers)."),
) -> None:
    """Extract entities, relations and commitments; one JSONL record per document.

    Broken documents (bad encoding, empty, malformed JSON lines) produce an error record naming the
    file and line; the others are still processed, and the exit code is 1.
    """
    if fmt not in ("jsonl", "pretty"):
        raise typer.BadParameter("--format must be jsonl or pretty")
    if engine not in ("local", "ray"):
        raise typer.BadParameter("--engine must be local or ray")
    from .io.readers import read_inputs

    items = read_inputs(inputs, text_field, id_field, glob, stdin_format)
    if output is not None:
        from .batch import BatchOptions, count_inputs, run_batch

        opts = BatchOptions(model=str(model) if model else None, workers=workers, chunk_size=chunk_size,
                            batch_size=batch_size, resume=resume, engine=engine, ray_address=ray_address,
                            progress=progress, threads=threads)
        summary = run_batch(items, output, opts, inputs=list(inputs), total=count_inputs(list(inputs)))
        typer.echo(summary.line(), err=True)
        typer.echo(f"records: {summary.output}; errors: {summary.errors_file}", err=True)
        if summary.errors:
            raise typer.Exit(1)
        return
    from . import load
    from .extract import extract_items

    errors = 0
    for rec in extract_items(load(model), items, batch_size):
        if "error" in rec:
            errors += 1
            typer.echo(f"error: {rec['error']}", err=True)
            if fmt == "jsonl":
                sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
            continue
        sys.stdout.write((json.dumps(rec, ensure_ascii=False) if fmt == "jsonl" else _pretty(rec)) + "\n")
        sys.stdout.flush()
    if errors:
        typer.echo(f"{errors} document(s) failed; see the error records", err=True)
        raise typer.Exit(1)


@app.command()
def render(
    inputs: List[str] = typer.Argument(..., help="Texts to extract, or a .jsonl of records with --records."),
    output: Path = typer.Option(Path("chengnuo.html"), "-o", "--output", help="The HTML file to write."),
    records: bool = typer.Option(False, "--records", help="Inputs are JSONL records already extracted."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder."),
) -> None:
    """An HTML page: the text with entities highlighted, and the commitments of each speaker."""
    from .render import render_records

    if records:
        from training.evaluate import records_by_id

        recs = [r for p in inputs for r in records_by_id(p).values()]
    else:
        from . import load
        from .extract import extract_items
        from .io.readers import read_inputs

        recs = [r for r in extract_items(load(model), read_inputs(inputs)) if "error" not in r]
    output.write_text(render_records(recs), encoding="utf-8")
    typer.echo(f"wrote {output} ({len(recs)} document(s))")


@app.command()
def evaluate(
    gold: str = typer.Argument(..., help="Gold records (.jsonl), or gold:dev / gold:test for the project's splits."),
    pred: Optional[Path] = typer.Argument(None, help="Predicted records (.jsonl)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Run this model on the gold texts instead of reading PRED."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write an HTML report with the errors into this folder."),
    save: Optional[Path] = typer.Option(None, "--save", help="Also write the scores as JSON to this file."),
) -> None:
    """Score predictions against gold records as the schema's "Scores that count" defines."""
    from training.evaluate import format_table, predict_records, records_by_id, score

    gold_docs = _gold(gold)
    if pred is not None:
        pred_docs = records_by_id(pred)
    else:
        pred_docs = predict_records(model, gold_docs.values())
    s = score(gold_docs, pred_docs)
    if report:
        from training.report import write_report

        write_report(s, report, title=f"{gold} vs {pred or model or 'default model'}")
    if save:
        save.write_text(json.dumps(s.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(json.dumps(s.as_dict(), ensure_ascii=False, indent=1) if as_json else format_table(s))


def _gold(spec: str) -> dict:
    from training.evaluate import gold_records

    return gold_records(spec)


@app.command()
def benchmark(
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped default model)."),
    data: Optional[Path] = typer.Option(None, "--data", help="Folder of the shared corpora (default ../shared/data)."),
    peer: Optional[str] = typer.Option(None, "--peer", help="Run a peer system on the same texts: lac."),
    limit: Optional[int] = typer.Option(None, help="Use only the first N sentences of each corpus."),
    threads: int = typer.Option(1, help="Torch threads for the speed measurement."),
    repeats: int = typer.Option(3, help="Timed runs per system, alternating; the median is reported."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write benchmark.md and benchmark.json into this folder."),
) -> None:
    """Scores on MSRA, People's Daily, CLUENER and the domain test split; speed and peak memory."""
    from training.benchmark import format_markdown, run_benchmark, save
    from training.corpora.gold import data_dir

    from .language import default_model_path

    command = "chengnuo benchmark" + (f" --peer {peer}" if peer else "") + (f" --limit {limit}" if limit else "") + \
        (f" --threads {threads}" if threads != 1 else "") + (f" --repeats {repeats}" if repeats != 3 else "")
    res = run_benchmark(model or default_model_path(), data_dir(data), peer=peer, limit=limit, threads=threads,
                        repeats=repeats)
    if out:
        save(res, out, command)
    typer.echo(format_markdown(res, command))


@app.command()
def validate(files: List[Path] = typer.Argument(..., help="JSONL record files to check against the schema.")) -> None:
    """Check records (gold or predicted) against the schema; each problem names the file, line and document."""
    from .schema import validate_record

    bad = 0
    for f in files:
        for n, line in enumerate(f.open(encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                errs = validate_record(json.loads(line))
            except json.JSONDecodeError as exc:
                errs = [f"not valid JSON ({exc.msg})"]
            for e in errs:
                typer.echo(f"{f}:{n}: {e}", err=True)
            bad += len(errs)
    typer.echo(f"{bad} problem(s)")
    raise typer.Exit(1 if bad else 0)


@app.command()
def train(
    config: Path = typer.Option(Path("training/configs/default.toml"), "--config", help="Training config (TOML)."),
    out: Path = typer.Option(..., "--out", help="Folder for the trained model and its checkpoints."),
    from_model: Optional[Path] = typer.Option(None, "--from", help="Continue from this model folder "
                                              "(with --annotations: default the registry's default model)."),
    annotations: Optional[List[Path]] = typer.Option(None, "--annotations", help="Retrain on these annotation files "
                                                     "(Label Studio, Doccano, DocBin, CoNLL or records JSONL), "
                                                     "mixing in the base model's own training data; then compare "
                                                     "and promote."),
    data: Optional[Path] = typer.Option(None, "--data", help="Folder of the shared corpora (default ../shared/data)."),
    steps: Optional[int] = typer.Option(None, help="Override the number of training steps (retraining: 400)."),
    seed: Optional[int] = typer.Option(None, help="Override the seed."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the checkpoint in --out."),
    holdout: float = typer.Option(0.2, help="Retraining: share of the new documents held out for the comparison."),
    eval_sets: List[str] = typer.Option(["gold:dev"], "--eval", help="Retraining: held-out sets both models are "
                                        "scored on (gold:<split> or record files), with the held-out new documents; "
                                        "the test split stays for reporting."),
    tolerance: float = typer.Option(0.01, help="Retraining: largest drop of a headline F1 that still promotes."),
    triples_tolerance: float = typer.Option(0.03, help="Retraining: the same for commitment triples (fewer, noisier)."),
    force: bool = typer.Option(False, "--force", help="Retraining: make the new model the default even if worse."),
    against: Optional[Path] = typer.Option(None, "--against", help="Retraining: the model the gate compares with "
                                           "(default: --from)."),
    lr: Optional[float] = typer.Option(None, "--lr", help="Override the peak learning rate (retraining: 1e-4)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Retraining: annotation format (default: detected)."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Model registry (default models/registry.json)."),
    minutes: Optional[float] = typer.Option(None, "--minutes", help="Stop (with the learning rate annealed) "
                                            "after this many minutes."),
) -> None:
    """Train (or continue training) the NER tagger from a config, or retrain on new annotations.

    With --annotations, the new model is compared with the --from model on the same held-out
    documents (comparison.md in --out), recorded in the registry, and becomes the default only if
    no headline F1 (entities, relations, commitments) drops by more than --tolerance and commitment
    triples by no more than --triples-tolerance.
    """
    from training.corpora.gold import data_dir

    if annotations:
        from training.retrain import RetrainArgs, retrain

        from .registry import REGISTRY, default_model

        reg = registry or REGISTRY
        base = from_model or default_model(reg)
        cmp = retrain(RetrainArgs(base=base, annotations=[str(a) for a in annotations], out=out,
                                  steps=steps or 400, holdout=holdout, eval=list(eval_sets), tolerance=tolerance,
                                  triples_tolerance=triples_tolerance, force=force, registry=reg, data=data, format=fmt,
                                  seed=seed or 13, resume=resume,
                                  against=against, lr=lr or 1e-4),
                      say=typer.echo)
        raise typer.Exit(0 if cmp.promoted else 3)
    from training.train import TrainConfig, train as run

    cfg = TrainConfig.from_toml(config, steps=steps, seed=seed, lr=lr, init=str(from_model) if from_model else None,
                                max_minutes=minutes)
    run(cfg, out, data_dir(data), resume=resume)
    typer.echo(f"saved {out}")


@app.command()
def pretrain(
    config: Path = typer.Option(..., "--config", help="Pre-training config (TOML), e.g. training/configs/cnn-mlm.toml."),
    out: Path = typer.Option(..., "--out", help="Folder for the pre-trained encoder and its checkpoints."),
    data: Optional[Path] = typer.Option(None, "--data", help="Folder of the shared corpora (default ../shared/data)."),
    steps: Optional[int] = typer.Option(None, help="Override the number of steps."),
    minutes: Optional[float] = typer.Option(None, "--minutes", help="Stop (with the learning rate annealed) "
                                            "after this many minutes."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the checkpoint in --out."),
) -> None:
    """Pre-train the encoder on raw text (masked characters); fine-tune it with `train`, init = --out."""
    from training.corpora.gold import data_dir
    from training.pretrain import PretrainConfig, pretrain as run

    run(PretrainConfig.from_toml(config, steps=steps, max_minutes=minutes), out, data_dir(data), resume=resume)
    typer.echo(f"saved {out}")


@app.command()
def models(
    default: Optional[str] = typer.Option(None, "--default", help="Make this registered model the default (rollback)."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Model registry (default models/registry.json)."),
) -> None:
    """List the registered models with their parents and scores; --default NAME switches the default."""
    from .registry import REGISTRY, load_registry, model_dir, register

    reg_path = registry or REGISTRY
    reg = load_registry(reg_path)
    if default:
        if default not in reg["models"]:
            raise typer.BadParameter(f"{default!r} is not registered; known: {', '.join(reg['models'])}")
        reg = register(model_dir(default, reg_path), {}, make_default=True, path=reg_path)
    for name, e in reg["models"].items():
        scores = e.get("scores", {})
        figures = "  ".join(f"{k} {v:.3f}" for k, v in scores.items() if isinstance(v, float))
        mark = "*" if name == reg["default"] else " "
        typer.echo(f"{mark} {name:32s} parent={e.get('parent', '-')}  {figures}  {e.get('gate', '')}")


annotate_app = typer.Typer(help="Round trips with annotation tools: export to correct, import corrections.",
                           no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")
TOOL_FORMATS = ("label-studio", "doccano", "docbin", "conll")


@annotate_app.command("export")
def annotate_export(
    inputs: List[str] = typer.Argument(..., help="Texts to pre-annotate (.txt, .md, .jsonl, .parquet, folders), "
                                       "or gold:<split>."),
    to: str = typer.Option(..., "--to", help="label-studio, doccano, docbin or conll."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write (Label Studio also gets a "
                                "<name>.label_config.xml beside it)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the default model)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the N least confident documents."),
    gold: bool = typer.Option(False, "--gold", help="Inputs are annotated records: export them as annotations "
                              "instead of running the model."),
) -> None:
    """Pre-annotate documents with the model, least confident first, for correction in a tool."""
    from training.interchange import document_confidence, export_records

    if to not in TOOL_FORMATS:
        raise typer.BadParameter(f"--to must be one of {', '.join(TOOL_FORMATS)}")
    if gold:
        recs = [r for spec in inputs for r in _gold(spec).values()]
        n = export_records(recs, output, to, kind="annotations")
        typer.echo(f"wrote {n} annotated document(s) to {output}")
        return
    from . import load
    from .extract import extract_items
    from .io.readers import InputDoc, read_inputs

    if all(spec.startswith("gold:") for spec in inputs):  # the gold texts, to re-annotate from scratch
        items = [InputDoc(str(r["id"]), r["text"], spec) for spec in inputs for r in _gold(spec).values()]
    else:
        items = read_inputs(inputs)
    recs = [r for r in extract_items(load(model), items) if "error" not in r]
    recs.sort(key=document_confidence)
    n = export_records(recs[:limit] if limit else recs, output, to, kind="predictions")
    typer.echo(f"wrote {n} pre-annotated document(s) to {output}, least confident first")


@annotate_app.command("import")
def annotate_import(
    files: List[Path] = typer.Argument(..., help="Exports of Label Studio (.json), Doccano (.jsonl), spaCy DocBin "
                                       "(.spacy), CoNLL/BIO, or records (.jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", help="Records JSONL to write."),
    fmt: Optional[str] = typer.Option(None, "--format", help="label-studio, doccano, docbin, conll or jsonl "
                                      "(default: detected per file)."),
) -> None:
    """Convert corrected annotations into schema records; bad documents are listed and left out."""
    from training.interchange import import_annotations

    res = import_annotations(files, fmt)
    output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in res.records), encoding="utf-8")
    for r in res.rejected:
        typer.echo(f"rejected {r}", err=True)
    typer.echo(f"wrote {len(res.records)} record(s) to {output}; {len(res.rejected)} rejected")
    raise typer.Exit(1 if res.rejected else 0)


if __name__ == "__main__":
    app()

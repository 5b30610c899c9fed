"""The model registry, `models/registry.json`: which model is the default, and for each model its
folder, parent, training data and scores. The runtime reads it to find the default model; the
retraining loop adds models to it and moves the default when the promotion gate passes."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MODELS = Path(__file__).resolve().parents[1] / "models"
REGISTRY = MODELS / "registry.json"


def load_registry(path: str | Path = REGISTRY) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        return {"default": None, "models": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def model_dir(name: str, path: str | Path = REGISTRY) -> Path:
    """The folder of a registered model (entries store it relative to the registry when inside it)."""
    path = Path(path)
    entry = load_registry(path)["models"].get(name, {})
    folder = Path(entry.get("path", name))
    return folder if folder.is_absolute() else path.parent / folder


def default_model(path: str | Path = REGISTRY) -> Path:
    """The default model's folder ($CHENGNUO_MODEL overrides the registry)."""
    env = os.environ.get("CHENGNUO_MODEL")
    if env:
        return Path(env)
    name = load_registry(path).get("default")
    if not name:
        raise FileNotFoundError(f"{path} names no default model")
    return model_dir(name, path)


def register(folder: str | Path, entry: dict[str, Any], make_default: bool, path: str | Path = REGISTRY) -> dict[str, Any]:
    """Add or update a model's entry (keyed by its folder name) and, if asked, make it the default.
    The file is replaced atomically, so a crash never leaves half a registry."""
    path, folder = Path(path), Path(folder).resolve()
    reg = load_registry(path)
    try:
        rel = str(folder.relative_to(path.parent.resolve()))
    except ValueError:
        rel = str(folder)
    name = folder.name
    old = reg["models"].get(name, {})
    reg["models"][name] = dict(old, path=rel, registered=datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry)
    if make_default:
        reg["previous_default"] = reg.get("default")
        reg["default"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(reg, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return reg

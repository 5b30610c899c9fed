"""What the fine-tuning and the pre-training loops share: their config's common settings, device
choice, the optimiser, a learning rate schedule that can follow a time budget, and atomic
checkpoints for `--resume`."""
from __future__ import annotations

import random
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn


@dataclass(kw_only=True)
class RunConfig:
    """The settings every training run has; each kind of run adds what it trains on and its own
    schedule defaults."""
    steps: int
    batch_size: int
    max_len: int = 128
    lr: float
    warmup: float
    seed: int = 13
    checkpoint_every: int
    device: str = field(default="auto", metadata={"help": "'auto' (a GPU when there is one), 'cpu' or 'cuda'"})
    max_minutes: float | None = field(default=None, metadata={"help": "stop (annealed) after this many minutes"})

    @classmethod
    def from_toml(cls, path: str | Path, **overrides):
        """The config in `path` with the overrides that are not None on top."""
        raw = read_toml(path)
        raw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**cls.nested(raw))

    @classmethod
    def nested(cls, raw: dict) -> dict:
        """The TOML keys with their tables turned into the config's own dataclasses."""
        return raw


def read_toml(path: str | Path) -> dict:
    """A config's keys; `extends = "other.toml"` (beside it) supplies every top-level key it does not set."""
    path = Path(path)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    base = raw.pop("extends", None)
    return dict(read_toml(path.parent / base), **raw) if base else raw


def pick_device(name: str = "auto") -> torch.device:
    """`auto` takes a GPU when torch sees one; the result is the same model either way, saved on CPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return torch.device(name)


def make_optimizer(module: nn.Module, lr: float, weight_decay: float = 0.01) -> torch.optim.AdamW:
    no_decay = ("bias", "LayerNorm.weight", "norm")
    named = list(module.named_parameters())
    return torch.optim.AdamW([
        {"params": [p for n, p in named if not any(x in n for x in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in named if any(x in n for x in no_decay)], "weight_decay": 0.0}], lr=lr)


class Budget:
    """Progress through a run, by steps or by wall-clock minutes, whichever is further along.

    With a time budget (a lent GPU for a fixed number of minutes) the learning rate still warms up
    and decays to zero at the end, so a cut-short run ends annealed rather than mid-schedule.
    """

    def __init__(self, steps: int, max_minutes: float | None = None, warmup: float = 0.06, elapsed: float = 0.0):
        self.steps, self.warmup = steps, warmup
        self.seconds = max_minutes * 60 if max_minutes else None
        self.t0 = time.time() - elapsed

    @property
    def elapsed(self) -> float:
        return time.time() - self.t0

    def progress(self, step: int) -> float:
        by_steps = step / self.steps
        return max(by_steps, self.elapsed / self.seconds) if self.seconds else by_steps

    def lr_factor(self, step: int) -> float:
        """Linear warm-up over the first `warmup` share of the steps, then linear decay to zero."""
        warm = max(1, int(self.steps * self.warmup))
        decay = (1.0 - self.progress(step)) / max(1e-9, 1.0 - warm / self.steps)
        return min((step + 1) / warm, max(0.0, decay))

    def done(self, step: int) -> bool:
        return self.progress(step) >= 1.0


def set_lr(opt: torch.optim.Optimizer, base: float, factor: float) -> None:
    for group in opt.param_groups:
        group["lr"] = base * factor


def save_checkpoint(path: Path, module: nn.Module, opt: torch.optim.Optimizer, step: int, losses: list,
                    rng: random.Random, budget: Budget) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": module.state_dict(), "optimizer": opt.state_dict(), "step": step, "losses": losses,
                "rng": rng.getstate(), "torch_rng": torch.get_rng_state(), "elapsed": budget.elapsed}, tmp)
    tmp.replace(path)


def load_checkpoint(path: Path, module: nn.Module, opt: torch.optim.Optimizer,
                    rng: random.Random) -> tuple[int, list, float]:
    """Restore a checkpoint in place. RETURNS (step, losses, elapsed seconds)."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    module.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    rng.setstate(state["rng"])
    torch.set_rng_state(state["torch_rng"])
    return state["step"], state["losses"], state.get("elapsed", 0.0)

"""The training loops' schedule: warm-up and decay by steps, or by a time budget when that runs out first."""
import pytest

from training import loop
from training.loop import Budget


def test_loop_schedule_by_steps():
    b = Budget(steps=100, warmup=0.1)
    assert b.lr_factor(0) == pytest.approx(0.1)
    assert b.lr_factor(9) == pytest.approx(1.0)
    assert b.lr_factor(55) == pytest.approx(0.5)
    assert b.lr_factor(100) == 0.0 and b.done(100) and not b.done(99)


def test_loop_time_budget_anneals_and_stops(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(loop.time, "time", lambda: now[0])
    b = Budget(steps=10_000, max_minutes=1.0, warmup=0.01)
    assert not b.done(200)
    now[0] += 30  # half the minute gone, 2% of the steps: time decides
    assert b.progress(200) == pytest.approx(0.5)
    assert b.lr_factor(200) == pytest.approx(0.5 / 0.99)
    now[0] += 30
    assert b.done(201) and b.lr_factor(201) == 0.0
    resumed = Budget(steps=10_000, max_minutes=1.0, elapsed=30.0)
    assert resumed.progress(0) == pytest.approx(0.5)

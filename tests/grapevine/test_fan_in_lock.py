"""The cluster's fan-in runs the global steps under the run lock, as ``grapevine run`` does:
never beside an in-process run's global steps (nothing done twice)."""

from pathlib import Path

from sqlalchemy import Engine

from grapevine.cluster.tasks import run_global_steps
from grapevine.config import parse_config
from grapevine.job import STEPS, JobSummary
from grapevine.locks import RunLock


def test_the_fan_in_waits_for_the_run_lock_then_gives_up_with_the_reason(
    engine: Engine, tmp_path: Path
) -> None:
    settings = parse_config(
        {"brand": {"name": "Larkwood"}, "database": {"url": str(engine.url)}},
        tmp_path / "grapevine.toml",
        env={},
    )
    with RunLock(engine, "run"):  # an in-process `grapevine run` in its global steps
        held = JobSummary()
        run_global_steps(settings, engine, held, wait=0.5)
    assert "the run lock stayed taken" in held.step_errors["lock"]
    assert held.skipped == [name for name, _ in STEPS] and held.failed

    free = JobSummary()
    run_global_steps(settings, engine, free, wait=0.5)
    assert "lock" not in free.step_errors and not free.skipped, free.step_errors
    with RunLock(engine, "run"):  # and the fan-in let the lock go
        pass

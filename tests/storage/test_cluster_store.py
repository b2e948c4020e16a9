"""The cluster's bookkeeping in storage.cluster, on SQLite and PostgreSQL: a day is created
once, its fan-in claimed once, a task's attempts counted, a dead task listed."""

from datetime import timedelta

from sqlalchemy import Engine, text

from storage import cluster as store
from storage.types import utcnow


def test_a_day_is_created_once_and_its_fan_in_claimed_once(engine: Engine) -> None:
    tasks = [("a", 0, 1), ("b", 0, 2), ("b", 1, 2)]
    assert store.create_day(engine, day_id="2026-12-01T07:00Z", trigger="schedule", tasks=tasks)
    assert not store.create_day(engine, day_id="2026-12-01T07:00Z", trigger="schedule", tasks=[])
    assert store.days_count(engine) == 1
    assert len(store.tasks(engine, day_id="2026-12-01T07:00Z")) == 3
    assert store.claim_fan_in(engine, day_id="2026-12-01T07:00Z")
    assert not store.claim_fan_in(engine, day_id="2026-12-01T07:00Z")
    # a fan-in whose worker died is claimed again once it is stale, not before
    assert not store.claim_fan_in(
        engine, day_id="2026-12-01T07:00Z", stale_after=timedelta(minutes=5)
    )
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE cluster_day SET fanned_in_at = :t"),
            {"t": utcnow() - timedelta(minutes=10)},
        )
    assert store.claim_fan_in(engine, day_id="2026-12-01T07:00Z", stale_after=timedelta(minutes=5))
    store.finish_day(engine, day_id="2026-12-01T07:00Z", job_run_id=None, summary={"ok": 1})
    assert not store.claim_fan_in(
        engine, day_id="2026-12-01T07:00Z", stale_after=timedelta(minutes=5)
    )
    assert store.day(engine, day_id="2026-12-01T07:00Z")["state"] == "done"  # type: ignore[index]


def test_attempts_count_up_and_a_final_task_is_not_run_again(engine: Engine) -> None:
    store.create_day(engine, day_id="d", trigger="manual", tasks=[("a", 0, 1)])
    assert store.start_task(engine, day_id="d", source="a", part=0, worker="w1") == 1
    assert store.start_task(engine, day_id="d", source="a", part=0, worker="w2") == 2  # redelivered
    store.note_error(engine, day_id="d", source="a", part=0, error="boom")
    assert store.finish_task(
        engine, day_id="d", source="a", part=0, state="dead", error="dead after 2 attempts: boom"
    )
    assert store.start_task(engine, day_id="d", source="a", part=0, worker="w3") == 0
    assert not store.finish_task(engine, day_id="d", source="a", part=0, state="done")
    dead = store.dead_tasks(engine)
    assert [(d["source"], d["attempts"], d["last_error"]) for d in dead] == [
        ("a", 2, "dead after 2 attempts: boom")
    ]
    assert store.start_task(engine, day_id="nope", source="a", part=0, worker="w") == 0


def test_the_deadline_leaves_unfinished_tasks_dead(engine: Engine) -> None:
    store.create_day(engine, day_id="d", trigger="manual", tasks=[("a", 0, 1), ("b", 0, 1)])
    store.start_task(engine, day_id="d", source="a", part=0, worker="w")
    store.finish_task(engine, day_id="d", source="a", part=0, state="done", result={"pages": 1})
    assert store.expire_tasks(engine, day_id="d", reason="not finished by the day's deadline") == 1
    states = {t["source"]: t["state"] for t in store.tasks(engine, day_id="d")}
    assert states == {"a": "done", "b": "dead"}

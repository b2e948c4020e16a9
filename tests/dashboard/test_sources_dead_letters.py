"""The Sources page shows the cluster's dead crawl tasks (a task that failed too often)."""

from conftest import open_page

from storage import cluster


def test_sources_show_the_clusters_dead_tasks(app, seeded, sqlite_engine) -> None:
    cluster.create_day(
        sqlite_engine, day_id="2026-12-01T07:00Z", trigger="schedule",
        tasks=[("forums", 0, 1), ("review-site", 0, 1)],
    )  # fmt: skip
    cluster.start_task(
        sqlite_engine, day_id="2026-12-01T07:00Z", source="forums", part=0, worker="w"
    )
    cluster.finish_task(
        sqlite_engine, day_id="2026-12-01T07:00Z", source="forums", part=0, state="dead",
        error="dead after 3 attempts: the crawl ran longer than 1800 s: stopped",
    )  # fmt: skip
    at = open_page(app(), "sources")
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "1 crawl task of the cluster failed too often" in errors
    assert "forums — day 2026-12-01T07:00Z, 1 attempt: dead after 3 attempts" in errors
    assert "review-site" not in errors


def test_no_dead_tasks_no_notice(app, seeded) -> None:
    at = open_page(app(), "sources")
    assert not at.exception
    assert not any("crawl task" in e.value for e in at.error)

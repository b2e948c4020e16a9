"""Every page renders without an exception, on an empty and on a seeded database."""

import pytest
from conftest import PAGES, open_page

from storage.casefile import case_file


@pytest.mark.parametrize("page", PAGES)
def test_page_on_an_empty_database(app, page: str) -> None:
    at = open_page(app(), page, case="1") if page == "case" else open_page(app(), page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_page_on_a_seeded_database(app, seeded, page: str) -> None:
    query = {"case": str(seeded["case_maria"])} if page == "case" else {}
    at = open_page(app(), page, **query)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_health_shows_kpis_and_charts(app, seeded) -> None:
    at = open_page(app(), "health")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Mentions"] == "5"  # own brand in the last 30 days (maria-old is older)
    assert metrics["Open cases"] == "4"
    assert len(at.get("vega_lite_chart")) == 5  # volume, rating, sources, themes, share
    labels = [b.label for b in at.get("download_button")]
    assert "Trend (CSV)" in labels


def test_sources_tell_blocked_from_nothing_said(app, seeded) -> None:
    at = open_page(app(), "sources")
    verdicts = dict(
        zip(at.dataframe[0].value["Source"], at.dataframe[0].value["Verdict"], strict=True)
    )
    assert verdicts["forums"] == "BLOCKED: we could not look"
    assert verdicts["review-site"] == "ok: 5 new"
    assert any("item count" in t.value for t in at.text)


def test_follow_ups_lists_the_overdue_review_and_marks_it_done(app, seeded, sqlite_engine) -> None:
    at = open_page(app(), "follow_ups")
    table = at.dataframe[0].value
    assert list(table["Case"]) == [seeded["case_stale"]]
    assert table["When"][0].startswith("OVERDUE")
    at = open_page(app(follow_up_case=seeded["case_stale"]), "follow_ups")
    at.text_area[0].input("Called her: happy with the replacement")
    next(b for b in at.get("button") if b.label == "Mark done").click().run()
    assert not at.exception
    case = case_file(sqlite_engine, seeded["case_stale"]).case
    assert case.follow_ups_done == 1
    assert case.follow_up_at is not None  # the 60-day review is next


def test_customers_search_and_file(app, seeded) -> None:
    at = app()
    at.session_state["cu_text"] = "maria@"
    at = open_page(at, "customers")
    assert list(at.dataframe[0].value["Name"]) == ["Maria Lopez"]
    at = open_page(app(customer_id=seeded["customer_maria"]), "customers")
    history = at.dataframe[1].value
    assert len(history) == 2 and history["Link"].tolist() == ["confirmed", "confirmed"]


def test_a_failing_page_is_one_friendly_line_and_a_log_without_sql(app, tmp_path, caplog) -> None:
    """A database the dashboard cannot read (here: never migrated) shows no traceback; the
    log names the error and where it happened, not the statement or its values."""
    import logging

    bare = tmp_path / "not-migrated.db"
    bare.touch()
    caplog.set_level(logging.ERROR, logger="dashboard.errors")
    at = app(settings={"database_url": f"sqlite:///{bare}"}).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "did not answer as expected" in at.error[0].value
    assert "OperationalError" in caplog.text
    assert "SELECT" not in caplog.text and "triage_case" not in caplog.text


def test_sentiment_lines_break_where_nobody_spoke() -> None:
    """A day without mentions has no sentiment: the line stops there and starts again."""
    from datetime import date

    import pandas as pd

    from dashboard import health_view as hv

    measured = pd.DataFrame(
        {
            "bucket": [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 4)],
            "mentions": [3.0, 1.0, 2.0],
            "net_sentiment": [-0.2, 0.1, 0.5],
            "avg_rating": [2.0, None, 4.0],
        }
    )
    trend = hv.complete(measured, date(2026, 11, 1), date(2026, 11, 6), "day")
    assert list(trend["mentions"]) == [3.0, 1.0, 0.0, 2.0, 0.0]  # empty days count zero
    assert trend["net_sentiment"].isna().tolist() == [False, False, True, False, True]
    line = hv.segments(trend, "net_sentiment")
    assert line.groupby("segment")["bucket"].apply(list).tolist() == [
        [date(2026, 11, 1), date(2026, 11, 2)],
        [date(2026, 11, 4)],
    ]
    rating = hv.segments(trend, "avg_rating")
    assert rating["segment"].nunique() == 2  # 1 Nov, then 4 Nov on its own (a point)
    spec = hv.volume_chart(trend, pd.DataFrame(), "day").to_dict()
    assert "segment" in str(spec)  # the line is drawn per segment, not across the gaps

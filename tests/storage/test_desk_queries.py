"""The reads behind the dashboard, on SQLite and PostgreSQL: queue, case file, health."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from storage.casefile import (
    case_file,
    customer_mentions,
    follow_up_counts,
    follow_ups,
    open_case_count_for,
    search_customers,
)
from storage.health import Period, case_kpis, complaint_themes, daily, mention_kpis
from storage.models import Case
from storage.queries import UNASSIGNED, QueueFilter, assignees, queue_counts, queue_page
from storage.types import utcnow
from tests.dashboard.seed import seed_desk
from triage.cases import Change, update_case


@pytest.fixture
def desk(engine) -> dict[str, int]:
    return seed_desk(engine)


def authors(engine, **filters) -> list[str]:
    rows, total = queue_page(engine, filters=QueueFilter(**filters))
    assert total == len(rows)
    return [row["author"] for row in rows]


def test_queue_filters(engine, desk) -> None:
    rows, total = queue_page(engine)
    assert total == 4  # open cases only; the resolved one is left out
    assert [r["priority"] for r in rows] == sorted((r["priority"] for r in rows), reverse=True)
    assert {r["author"] for r in rows} == {
        "Maria Lopez",
        "Ahmed <b>Hassan</b>",
        "flatwhite_fan",
        "Daniel Okafor",
    }
    assert authors(engine, text="WAITING refund") == ["Maria Lopez"]
    assert authors(engine, text="lw-204518") == ["Maria Lopez"]
    assert authors(engine, text="100%") == []  # LIKE wildcards are literal
    assert authors(engine, text=f"#{desk['case_late']}") == ["Daniel Okafor"]
    assert authors(engine, brand="competitor") == ["flatwhite_fan"]
    assert set(authors(engine, aspects=("delivery",))) == {"Daniel Okafor", "flatwhite_fan"}
    assert authors(engine, aspects=("customer service",)) == ["Maria Lopez"]
    assert authors(engine, linked=True) == ["Maria Lopez"]
    assert "Maria Lopez" not in authors(engine, linked=False)
    assert authors(engine, sources=("forums",)) == ["flatwhite_fan"]
    assert authors(engine, statuses=("resolved",)) == ["Marco Bianchi"]
    now = utcnow()
    assert authors(engine, published_from=now - timedelta(days=0.5)) == ["Maria Lopez"]
    assert "Maria Lopez" not in authors(engine, published_to=now - timedelta(days=0.5))


def test_queue_assignee_due_sort_and_columns(engine, desk) -> None:
    update_case(engine, desk["case_late"], version=1, actor="sam", change=Change(assignee="sam"))
    assert authors(engine, assignees=("sam",)) == ["Daniel Okafor"]
    assert "Daniel Okafor" not in authors(engine, assignees=(UNASSIGNED,))
    assert assignees(engine) == ["sam"]
    with Session(engine) as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == desk["case_maria"])
            .values(due_at=datetime.now(UTC) - timedelta(hours=1))
        )
        session.commit()
    assert authors(engine, due="overdue") == ["Maria Lopez"]
    counts = queue_counts(engine)
    assert counts["open"] == 4 and counts["overdue"] == 1 and counts["unassigned"] == 3
    rows, _ = queue_page(engine, filters=QueueFilter(sort="due"))
    assert rows[0]["author"] == "Maria Lopez"
    rows, _ = queue_page(engine, filters=QueueFilter(sort="newest"))
    assert rows[0]["author"] == "Maria Lopez"
    row = next(r for r in rows if r["author"] == "Maria Lopez")
    assert row["customer"] == "Maria Lopez" and row["suggestions"] == 0
    hostile = next(r for r in rows if r["author"].startswith("Ahmed"))
    assert hostile["customer"] is None and hostile["suggestions"] == 1


def test_queue_pages(engine, desk) -> None:
    first, total = queue_page(engine, limit=2, offset=0)
    second, _ = queue_page(engine, limit=2, offset=2)
    assert total == 4 and len(first) == len(second) == 2
    assert not {r["id"] for r in first} & {r["id"] for r in second}


def test_case_file_customers_and_follow_ups(engine, desk) -> None:
    cf = case_file(engine, desk["case_maria"])
    assert cf is not None and cf.mention.author == "Maria Lopez"
    assert case_file(engine, 999_999) is None
    assert [c["name"] for c in search_customers(engine, "MARIA@example")] == ["Maria Lopez"]
    assert [c["external_id"] for c in search_customers(engine, "")][0] == "C-100"
    assert search_customers(engine, "C-200")[0]["suggested"] == 1
    history = customer_mentions(engine, desk["customer_maria"])
    assert [h["text"][:7] for h in history] == ["Charged", "Lovely "]
    assert history[0]["case_id"] == desk["case_maria"] and history[1]["case_id"] is None
    assert open_case_count_for(engine, desk["customer_maria"]) == 1
    rows, total = follow_ups(engine, until=utcnow())
    assert total == 1 and rows[0]["id"] == desk["case_stale"]
    assert follow_up_counts(engine) == {"overdue": 1, "this_week": 0, "scheduled": 1}


def test_brand_health(engine, desk) -> None:
    period = Period.last(30)
    kpis = mention_kpis(engine, period)
    # own brand in 30 days: maria, hostile, late, stale (negative) and happy (positive)
    assert kpis["mentions"] == 5 and kpis["negative"] == 4 and kpis["positive"] == 1
    assert kpis["net_sentiment"] == pytest.approx(-3 / 5)
    assert kpis["avg_rating"] == pytest.approx((1 + 1 + 2 + 1 + 5) / 5)
    assert kpis["attention_share"] == pytest.approx(4 / 5)
    assert mention_kpis(engine, period, competitor=True)["mentions"] == 1
    assert mention_kpis(engine, period.previous)["mentions"] == 1  # maria-old, 40 days ago
    rows = daily(engine, period)
    assert sum(r["mentions"] for r in rows) == 6
    assert {r["day"] for r in rows} <= {
        (utcnow() - timedelta(days=d)).strftime("%Y-%m-%d") for d in range(0, 5)
    }
    themes = complaint_themes(engine, period)
    assert sum(t["mentions"] for t in themes if t["aspect"] == "billing") == 2
    cases = case_kpis(engine, period)
    assert cases["opened"] == 5 and cases["open_end"] == 4 and cases["closed"] == 1
    assert cases["open_start"] == 0
    assert cases["first_actions"] == 1 and cases["median_first_action_hours"] is not None
    assert cases["sla_met"] == 1 and cases["sla_share"] == 1.0


def test_a_case_number_past_the_integers_is_no_case(engine, desk) -> None:
    """A doctored link (``/case?case=99999999999999999999``) is no case on either backend,
    not an OverflowError (SQLite) or a DataError quoting the statement (PostgreSQL)."""
    assert case_file(engine, 99999999999999999999) is None
    assert case_file(engine, 2**31) is None
    assert case_file(engine, 0) is None
    assert case_file(engine, desk["case_maria"]) is not None


def test_neighbours_follow_the_queue_order_and_filters(engine, desk) -> None:
    from storage.queries import queue_neighbours

    for sort in ("priority", "due", "newest", "oldest"):
        filters = QueueFilter(sort=sort)
        order = [row["id"] for row in queue_page(engine, filters=filters)[0]]
        first = queue_neighbours(engine, filters=filters, case_id=order[0])
        assert first == (None, order[1], 1, len(order)), sort
        middle = queue_neighbours(engine, filters=filters, case_id=order[1])
        assert middle == (order[0], order[2], 2, len(order)), sort
    rival = queue_neighbours(
        engine, filters=QueueFilter(brand="competitor"), case_id=desk["case_rival"]
    )
    assert rival == (None, None, 1, 1)
    outside = queue_neighbours(
        engine, filters=QueueFilter(brand="competitor"), case_id=desk["case_maria"]
    )
    assert outside == (None, None, None, 1)


def test_saved_views_are_per_person(engine) -> None:
    from storage.views import ViewError, delete_view, get_view, list_views, save_view

    mine = {"q_view": "unassigned", "q_aspects": ["billing"], "q_sort": "due"}
    save_view(engine, owner="sam", name="  Billing,   unassigned ", filters=mine)
    save_view(engine, owner="ana", name="Billing, unassigned", filters={"q_view": "mine"})
    assert [v.name for v in list_views(engine, owner="sam")] == ["Billing, unassigned"]
    assert get_view(engine, owner="sam", name="Billing, unassigned").filters == mine
    # saving under the same name replaces that view, for its owner only
    save_view(engine, owner="sam", name="Billing, unassigned", filters={"q_view": "overdue"})
    assert get_view(engine, owner="sam", name="Billing, unassigned").filters == {
        "q_view": "overdue"
    }
    assert get_view(engine, owner="ana", name="Billing, unassigned").filters == {"q_view": "mine"}
    with pytest.raises(ViewError, match="needs a name"):
        save_view(engine, owner="sam", name="   ", filters={})
    with pytest.raises(ViewError, match="at most 100"):
        save_view(engine, owner="sam", name="x" * 101, filters={})
    assert delete_view(engine, owner="ana", name="Billing, unassigned")
    assert not delete_view(engine, owner="ana", name="Billing, unassigned")
    assert [v.name for v in list_views(engine, owner="sam")] == ["Billing, unassigned"]

"""Cases open for mentions that need attention; the workflow; two editors never overwrite."""

from datetime import UTC, datetime, timedelta

import pytest

from storage.mentions import upsert_mentions
from triage.cases import (
    CaseConflict,
    CaseError,
    Change,
    bulk_update,
    get_case,
    timeline,
    update_case,
)
from triage.opening import open_cases
from triage.policy import TriagePolicy

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def mention(
    external_id: str,
    *,
    needs: bool,
    sentiment: float = -0.5,
    competitor: bool = False,
    rating: float | None = None,
    reach: int | None = None,
) -> dict[str, object]:
    return {
        "source": "s",
        "source_type": "feed",
        "external_id": external_id,
        "url": "https://x",
        "author": "Ann",
        "text": f"text {external_id}",
        "content_hash": external_id,
        "needs_attention": needs,
        "sentiment": sentiment,
        "is_competitor": competitor,
        "rating": rating,
        "reach": reach,
        "published_at": NOW - timedelta(hours=2),
        "complaint_score": 0.8 if needs else 0.0,
    }


def test_cases_open_once_for_own_mentions_needing_attention(engine) -> None:
    upsert_mentions(
        engine,
        [
            mention("a", needs=True),
            mention("b", needs=False, sentiment=0.7),
            mention("c", needs=True, competitor=True),
            mention("d", needs=True, rating=1, reach=50_000),
        ],
    )
    opened = open_cases(engine, TriagePolicy(), now=NOW)
    assert len(opened) == 2
    assert open_cases(engine, TriagePolicy(), now=NOW) == []
    cases = sorted((get_case(engine, i) for i in opened), key=lambda c: -c.priority)
    urgent, normal = cases
    assert urgent.priority > normal.priority  # 1 star and a wide reach come first
    assert normal.due_at == NOW + timedelta(hours=24)
    assert [e.kind for e in timeline(engine, normal.id)] == ["opened"]
    assert len(open_cases(engine, TriagePolicy(competitor_cases=True), now=NOW)) == 1


def test_workflow_and_timeline(engine) -> None:
    upsert_mentions(engine, [mention("a", needs=True)])
    [case_id] = open_cases(engine, TriagePolicy(), now=NOW)
    case = update_case(
        engine,
        case_id,
        version=1,
        actor="sam",
        change=Change(assignee="sam", status="in_progress", note="On it"),
    )
    assert (case.status, case.assignee, case.version) == ("in_progress", "sam", 2)
    assert case.first_action_at is None  # taking it and a note are not a first response
    with pytest.raises(CaseError, match="needs a reason"):
        update_case(engine, case_id, version=2, actor="sam", change=Change(status="dismissed"))
    case = update_case(
        engine, case_id, version=2, actor="sam", change=Change(status="resolved", action="refund")
    )
    assert (
        case.status == "resolved" and case.resolved_at is not None and case.action_taken == "refund"
    )
    assert case.first_action_at is not None  # the refund answered the customer
    with pytest.raises(CaseError, match="cannot become"):
        update_case(
            engine, case_id, version=3, actor="sam", change=Change(status="waiting_on_customer")
        )
    kinds = [e.kind for e in timeline(engine, case_id)]
    assert kinds == ["opened", "status", "assigned", "note", "status", "action"]


def test_the_second_save_reports_a_conflict_and_writes_nothing(engine) -> None:
    upsert_mentions(engine, [mention("a", needs=True)])
    [case_id] = open_cases(engine, TriagePolicy(), now=NOW)
    update_case(engine, case_id, version=1, actor="ann", change=Change(assignee="ann"))
    with pytest.raises(CaseConflict) as caught:
        update_case(
            engine, case_id, version=1, actor="bob", change=Change(assignee="bob", note="mine")
        )
    assert caught.value.current.assignee == "ann" and caught.value.current.version == 2
    assert get_case(engine, case_id).assignee == "ann"
    assert "mine" not in [e.message for e in timeline(engine, case_id)]


def test_bulk_assign(engine) -> None:
    upsert_mentions(engine, [mention(str(i), needs=True) for i in range(3)])
    ids = open_cases(engine, TriagePolicy(), now=NOW)
    done, problems = bulk_update(engine, ids + [9999], actor="lead", change=Change(assignee="kim"))
    assert done == 3 and problems == ["case 9999: not found"]
    assert {get_case(engine, i).assignee for i in ids} == {"kim"}

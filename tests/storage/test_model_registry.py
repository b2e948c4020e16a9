"""The model registry and the desk's decisions, on SQLite and PostgreSQL."""

from sqlalchemy import Engine, insert

from storage import model_registry as registry
from storage.audit import list_audit
from storage.mentions import upsert_mentions
from storage.models import Case
from storage.types import utcnow

CASE = Case.__table__  # type: ignore[attr-defined]


def _mentions(engine: Engine, n: int) -> list[int]:
    rows = [
        {"source": "s", "external_id": f"m{i}", "source_type": "review", "text": f"text {i}"}
        for i in range(n)
    ]
    return upsert_mentions(engine, rows).new_ids


def test_every_desk_decision_is_a_label_and_a_later_label_wins(engine: Engine) -> None:
    a, b, c, d, e = _mentions(engine, 5)
    with engine.begin() as conn:
        for values in (
            {"mention_id": a, "status": "dismissed", "dismissed_reason": "NOT a complaint"},
            {"mention_id": b, "status": "dismissed", "dismissed_reason": "spam"},
            {"mention_id": c, "status": "resolved", "action_taken": "refund"},
            {"mention_id": d, "status": "resolved", "action_taken": None},
        ):
            now = utcnow()
            conn.execute(insert(CASE).values(opened_at=now, updated_at=now, **values))
        registry.record_desk_label(conn, mention_id=e, kind="sentiment", value=-0.5, actor="ana")
        registry.record_desk_label(conn, mention_id=e, kind="attention", value=1.0, actor="ana")
        registry.record_desk_label(conn, mention_id=c, kind="complaint", value=0.0, actor="ana")
    with engine.connect() as conn:
        found = {(x.mention_id, x.kind, x.value, x.origin) for x in registry.desk_decisions(conn)}
        audited = list_audit(conn, action="label.")
    assert found == {
        (a, "complaint", 0.0, "dismissed"),
        (c, "complaint", 0.0, "label"),  # the desk's later word wins over the case
        (e, "sentiment", -0.5, "label"),
        (e, "complaint", 1.0, "label"),  # marked as needing attention by hand
    }
    assert len(audited) == 3


def test_versions_switch_and_roll_back(engine: Engine) -> None:
    with engine.begin() as conn:
        assert registry.active_artefact(conn, lang="en") is None
        for n, better in ((1, True), (2, False)):
            registry.add_model_version(
                conn,
                version=f"lr1-desk{n}",
                lang="en",
                parent="lr1",
                metrics={"after": {"agreement": 0.9}},
                artefact=b'{"name": "lr1-desk%d"}' % n,
                actor="cli",
                activate_it=better,
            )
    with engine.connect() as conn:
        assert registry.active_artefact(conn, lang="en") == ("lr1-desk1", b'{"name": "lr1-desk1"}')
        assert registry.count_versions(conn, lang="en") == 2
        assert [r["version"] for r in registry.list_model_versions(conn)] == [
            "lr1-desk2",
            "lr1-desk1",
        ]
    with engine.begin() as conn:
        registry.activate(conn, version="lr1-desk2", lang="en", actor="ana")
    with engine.connect() as conn:
        assert registry.active_artefacts(conn)["en"][0] == "lr1-desk2"
    with engine.begin() as conn:
        registry.activate(conn, version="lr1", lang="en", actor="ana")  # the shipped model
    with engine.connect() as conn:
        assert registry.active_artefacts(conn) == {}
        actions = [row["action"] for row in list_audit(conn, action="model.")]
    assert actions.count("model.trained") == 2 and actions.count("model.activated") == 3

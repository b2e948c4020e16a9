"""`grapevine quarantine list/retry` and the quarantined counts in `grapevine status`."""

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from helpers.refusal import MESSAGE, allow, refuse
from sqlalchemy import Engine, select
from sqlmodel import Session

from grapevine.cli import cli
from storage.mentions import upsert_mentions
from storage.models import Mention

PRIVATE = "Acme lost my parcel and nobody answers"


def row(external_id: str, text: str) -> dict[str, object]:
    return {
        "source": "reviews",
        "source_type": "schemaorg",
        "external_id": external_id,
        "url": f"https://example.com/r/{external_id}",
        "author": "Ann",
        "text": text,
        "rating": 1.0,
        "content_hash": f"h-{external_id}",
        "published_at": datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC),
    }


def invoke(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    config = tmp_path / "grapevine.toml"
    config.write_text('[brand]\nname = "Acme"\nterms = ["Acme"]\n')
    result = CliRunner().invoke(
        cli, [*args[:2], "--config", str(config), *args[2:]], env={"GRAPEVINE_DATABASE_URL": url}
    )
    return result.exit_code, result.output


def test_list_retry_after_the_cause_is_fixed_and_status(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    refuse(engine, "bad")
    first = upsert_mentions(engine, [row("good", "Fine"), row("bad", PRIVATE)])
    assert (first.new, first.quarantined) == (1, 1)

    code, out = invoke(tmp_path, url, "quarantine", "list", "--json")
    assert code == 0, out
    [held] = json.loads(out)
    assert (held["source"], held["external_id"], held["stage"]) == ("reviews", "bad", "store")
    assert MESSAGE in held["reason"] and held["attempts"] == 1
    code, out = invoke(tmp_path, url, "quarantine", "list")
    assert code == 0 and f"#{held['id']}" in out and MESSAGE in out and PRIVATE not in out

    code, out = invoke(tmp_path, url, "status", "--json")
    status = json.loads(out)
    assert status["quarantined"] == 1
    assert {s["name"]: s["quarantined"] for s in status["sources"]} == {"reviews": 1}
    code, out = invoke(tmp_path, url, "status")
    assert "1 quarantined" in out and "grapevine quarantine list" in out

    # still refused: it stays, one attempt more, exit status 1
    code, out = invoke(tmp_path, url, "quarantine", "retry", "--all")
    assert code == 1 and "0 stored, 1 still quarantined" in out, out

    allow(engine)  # the cause is fixed
    code, out = invoke(tmp_path, url, "quarantine", "retry", str(held["id"]))
    assert code == 0 and "1 stored, 0 still quarantined" in out, out
    with Session(engine) as session:
        stored = session.scalars(select(Mention).where(Mention.external_id == "bad")).one()
    assert stored.text == PRIVATE and stored.brand == "Acme"
    assert stored.sentiment is not None and stored.analyser_version  # analysed again
    code, out = invoke(tmp_path, url, "quarantine", "list", "--json")
    assert json.loads(out) == []
    code, out = invoke(tmp_path, url, "quarantine", "list", "--resolved", "--json")
    [done] = json.loads(out)
    assert done["attempts"] == 3 and done["resolved_at"] and done["mention_id"] == stored.id
    code, out = invoke(tmp_path, url, "status", "--json")
    assert json.loads(out)["quarantined"] == 0


def test_retry_needs_to_be_told_what(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    code, out = invoke(tmp_path, url, "quarantine", "retry")
    assert code == 2 and "ID…, --source NAME or --all" in out
    code, out = invoke(tmp_path, url, "quarantine", "retry", "999")
    assert code == 1 and "not in quarantine" in out

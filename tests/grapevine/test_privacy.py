"""`grapevine forget` and `grapevine export-person` on a database a real crawl filled.

The recorded Trustpilot page (Calo's reviews) and the recorded Mastodon hashtag timeline are
served by a local server; `grapevine run` crawls them, links, opens cases and writes the
file-drop exports; a CRM export is imported. Then a customer (Daniel Levy, whose review is
on the page) and an author (the Mastodon account) are forgotten, and every text and JSON
column of every table, and the export files, are searched for them.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.httpserver import LocalServer, Reply
from sqlalchemy import JSON, Engine, String, Text, inspect, select, text

from grapevine.cli import cli
from storage import make_engine, rollups, upgrade
from storage.models import Case, Mention
from tests.crawler.crawler_sites import (
    MASTODON_1,
    MASTODON_2,
    MASTODON_ARRIVALS,
    TRUSTPILOT,
    MastodonTimeline,
    load,
    trustpilot_next_data,
    trustpilot_with,
)
from tests.crawler.crawler_sites import text as fixture_text
from triage.cases import Change, get_case, update_case

PAGE = "/review/calo.app?languages=all&sort=recency"
CUSTOMER = {"name": "Daniel Levy", "email": "daniel.levy@example.com", "phone": "+44 7700 900123"}
HANDLE = "mastodonpy_test_2"

CONFIG = """
[brand]
name = "Calo"
terms = ["Calo", "toot"]

[database]
url = "{url}"

[crawl]
download_delay = 0
autothrottle = false
retries = 0

[[sources]]
name = "tp"
type = "trustpilot"
domain = "calo.app"
base_url = "{base}"

[[sources]]
name = "toots"
type = "mastodon"
base_url = "{base}"
hashtags = ["gvtest"]

[[targets]]
name = "drop"
type = "file"
path = "exports/cases.jsonl"

[[targets]]
name = "sheet"
type = "file"
path = "exports/cases.csv"
format = "csv"
"""

CRM = (
    "id,name,email,phone,tier\n"
    f"C-1,{CUSTOMER['name']},{CUSTOMER['email']},{CUSTOMER['phone']},gold\n"
    "C-2,Jane Daly,jane.daly@example.com,+44 7700 900456,silver\n"
)


def trustpilot_page(edit: str | None = None) -> str:
    """The recorded page; ``edit`` replaces Daniel Levy's review text (an edit by him)."""
    html = fixture_text(TRUSTPILOT)
    data = trustpilot_next_data(html)
    props = data["props"]["pageProps"]
    props["filters"]["pagination"]["totalPages"] = 1
    if edit is not None:
        [review] = [r for r in props["reviews"] if r["consumer"]["displayName"] == "Daniel Levy"]
        review["text"] = edit
        review["dates"]["updatedDate"] = "2026-02-12T09:00:00.000Z"
    return trustpilot_with(html, data)


def grapevine(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grapevine", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "GRAPEVINE_CONFIG": str(cwd / "grapevine.toml")},
    )


def invoke(*args: str, cwd: Path, input: str | None = None) -> Any:
    result = CliRunner().invoke(
        cli, [args[0], "--config", str(cwd / "grapevine.toml"), *args[1:]], input=input
    )
    return result


def scan(engine: Engine, needles: list[str]) -> list[str]:
    """Every (table.column: needle) where a text or JSON column holds one of ``needles``."""
    found = []
    inspector = inspect(engine)
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            for column in inspector.get_columns(table):
                if not isinstance(column["type"], String | Text | JSON):
                    continue
                name = column["name"]
                rows = conn.execute(text(f'SELECT "{name}" FROM "{table}"')).scalars()
                for value in rows:
                    blob = (value if isinstance(value, str) else json.dumps(value)).lower()
                    blob_raw = json.dumps(value, ensure_ascii=False).lower()
                    for needle in needles:
                        if needle.lower() in blob or needle.lower() in blob_raw:
                            found.append(f"{table}.{name}: {needle}")
    return sorted(set(found))


def stats(engine: Engine) -> dict[str, Any]:
    """The figures that must still add up: cases by status, mention totals, the rollups."""
    with engine.connect() as conn:
        cases = dict(
            conn.execute(text("SELECT status, count(*) FROM triage_case GROUP BY status")).all()
        )
        mentions = conn.execute(text("SELECT count(*) FROM mention")).scalar_one()
        labels = dict(
            conn.execute(text("SELECT label, count(*) FROM mention GROUP BY label")).all()
        )
    return {"cases": cases, "mentions": mentions, "labels": labels}


def rollups_consistent(engine: Engine) -> None:
    """``mention_day``/``aspect_day`` equal a fresh recomputation from ``mention``."""

    def read(conn: Any) -> tuple[Any, Any]:
        days = sorted(
            (r.day, r.brand, r.source, r.mentions, r.positive, r.negative, r.rated, r.attention,
             round(r.sentiment_sum, 6), round(r.rating_sum, 6))
            for r in conn.execute(text("SELECT * FROM mention_day WHERE mentions <> 0"))
        )  # fmt: skip
        aspects = sorted(
            tuple(r) for r in conn.execute(text("SELECT * FROM aspect_day WHERE mentions <> 0"))
        )
        return days, aspects

    with engine.connect() as conn:
        trans = conn.begin()
        kept = read(conn)
        rollups.rebuild(conn)
        fresh = read(conn)
        trans.rollback()
    assert kept == fresh
    with engine.connect() as conn:
        total = conn.execute(text("SELECT coalesce(sum(mentions), 0) FROM mention_day")).scalar()
        assert total == conn.execute(text("SELECT count(*) FROM mention")).scalar_one()


def export_records(root: Path) -> tuple[list[dict[str, Any]], list[list[str]]]:
    lines = (root / "exports" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    with open(root / "exports" / "cases.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return [json.loads(line) for line in lines], rows


def test_forget_a_customer_and_an_author_everywhere(db_url: str, tmp_path: Path) -> None:
    toots = [*load(MASTODON_1), *load(MASTODON_2)]
    later = load(MASTODON_ARRIVALS)["backlog"][0]  # a newer toot by the same account
    assert later["account"]["acct"] == HANDLE
    with LocalServer() as server:
        timeline = MastodonTimeline(server.base_url, "gvtest", toots, cap=40)
        server.routes[timeline.path] = timeline
        server.routes[PAGE] = Reply(trustpilot_page())
        (tmp_path / "grapevine.toml").write_text(
            CONFIG.format(url=db_url, base=server.base_url), encoding="utf-8"
        )
        (tmp_path / "customers.csv").write_text(CRM, encoding="utf-8")
        engine = make_engine(db_url)
        upgrade(engine)
        imported = CliRunner().invoke(
            cli, ["--config", str(tmp_path / "grapevine.toml"), "customers", "import",
                  str(tmp_path / "customers.csv")],
        )  # fmt: skip
        assert imported.exit_code == 0, imported.output
        first = grapevine("run", cwd=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        # Daniel edits his review: the earlier version is kept as a revision
        edited = "Edited: the app still logs me out and support never answered my emails."
        server.routes[PAGE] = Reply(trustpilot_page(edit=edited))
        second = grapevine("crawl", "--source", "tp", cwd=tmp_path)
        assert second.returncode == 0, second.stdout + second.stderr

        with engine.connect() as conn:
            daniel = conn.execute(
                select(Mention).where(Mention.author == "Daniel Levy")  # type: ignore[arg-type]
            ).one()
            revisions = (
                conn.execute(
                    text("SELECT text FROM mention_revision WHERE mention_id = :m"),
                    {"m": daniel.id},
                )
                .scalars()
                .all()
            )
            cases = dict(
                conn.execute(text("SELECT mention_id, id FROM triage_case")).all()  # type: ignore[arg-type]
            )
        assert revisions and daniel.text == edited
        sentence = max(revisions[0].split(". "), key=len)  # a sentence of his first version
        handle = next(
            h for (h,) in engine.connect().execute(text("SELECT author_handle FROM mention"))
            if h and h.startswith(HANDLE)
        )  # fmt: skip
        # notes that name him: on his own case, and on somebody else's
        other = next(case_id for mention_id, case_id in cases.items() if mention_id != daniel.id)
        for case_id, note in (
            (cases[daniel.id], "Called Daniel Levy back, see daniel.levy@example.com"),
            (other, f"Same issue as Daniel Levy (+44 7700 900123) and {handle}"),
        ):
            found = get_case(engine, case_id)
            assert found is not None
            update_case(
                engine, case_id, version=found.version, actor="sam", change=Change(note=note)
            )
        jsonl, sheet = export_records(tmp_path)
        assert any(r["author"] == "Daniel Levy" for r in jsonl)
        assert any("Daniel Levy" in row for row in sheet)
        needles = [*CUSTOMER.values(), sentence, edited, HANDLE, "Toot number 29!"]
        assert set(scan(engine, needles)) >= {
            "customer.name: Daniel Levy",
            "mention.text: " + edited,
            "mention_revision.text: " + sentence,
            "mention.author_handle: " + HANDLE,
        }
        before = stats(engine)

        # the access request first: his mentions and cases are in it
        out = tmp_path / "person.json"
        asked = invoke("export-person", "--customer", "C-1", "-o", str(out), cwd=tmp_path)
        assert asked.exit_code == 0, asked.output
        person = json.loads(out.read_text(encoding="utf-8"))
        assert [c["email"] for c in person["customers"]] == [CUSTOMER["email"]]
        assert [m["text"] for m in person["mentions"]] == [edited]
        assert person["mentions"][0]["earlier_versions"][0]["text"] == revisions[0]
        assert [c["id"] for c in person["cases"]] == [cases[daniel.id]]
        timeline_notes = [e["message"] for e in person["cases"][0]["timeline"]]
        assert any("Called Daniel Levy back" in m for m in timeline_notes)
        assert {e["target"] for e in person["cases"][0]["exports"]} == {"drop", "sheet"}

        theirs = invoke("export-person", "--author", f"toots:{handle}", "-o", "-", cwd=tmp_path)
        assert theirs.exit_code == 0, theirs.output
        toots_held = json.loads(theirs.output)["mentions"]
        assert len(toots_held) >= 19 and all(m["author_handle"] == handle for m in toots_held)

        # a dry run and a refused confirmation change nothing
        dry = invoke("forget", "--customer", "C-1", "--dry-run", cwd=tmp_path)
        assert dry.exit_code == 0 and "Dry run" in dry.output, dry.output
        assert "customer " in dry.output and "mention " in dry.output
        refused = invoke("forget", "--customer", "C-1", cwd=tmp_path, input="n\n")
        assert refused.exit_code == 1 and "Erase all this?" in refused.output
        assert scan(engine, [CUSTOMER["email"]])

        forgot = invoke("forget", "--customer", "C-1", cwd=tmp_path, input="y\n")
        assert forgot.exit_code == 0, forgot.output
        assert "file-drop export drop" in forgot.output and "Forgotten" in forgot.output
        author = invoke("forget", "--author", f"toots:{handle}", "--yes", cwd=tmp_path)
        assert author.exit_code == 0, author.output

        assert scan(engine, needles + [handle]) == []
        if db_url.startswith("sqlite:"):  # nor the database file, byte for byte (free pages)
            database = Path(db_url.removeprefix("sqlite:///"))
            raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
            assert not [n for n in needles if n.encode("utf-8") in raw]
        nobody = invoke("forget", "--author", "toots:nobody@example.social", "--yes", cwd=tmp_path)
        assert nobody.exit_code == 0 and "Nothing of theirs is stored yet" in nobody.output
        jsonl_after, sheet_after = export_records(tmp_path)
        blob = json.dumps(jsonl_after) + json.dumps(sheet_after)
        assert not [n for n in needles if n.lower() in blob.lower()]
        assert len(jsonl_after) == len(jsonl) - 1 and len(sheet_after) == len(sheet) - 1
        assert any(r["author"] == "RP" for r in jsonl_after)  # the others' records stay
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM customer")).scalars().all() == ["Jane Daly"]
            audit = conn.execute(
                text("SELECT summary, detail FROM audit_event WHERE action = 'forget'")
            ).all()
        assert len(audit) == 3  # the customer, the author, the handle not seen yet
        assert stats(engine) == before
        rollups_consistent(engine)

        # the next crawl: the same pages and a newer toot by the forgotten author
        timeline.arrive([later])
        third = grapevine("run", cwd=tmp_path)
        assert third.returncode == 0, third.stdout + third.stderr
        status = json.loads(invoke("status", "--json", cwd=tmp_path).output)
    assert {s["name"]: s["last_status"] for s in status["sources"]} == {"tp": "ok", "toots": "ok"}
    assert scan(engine, needles + [handle, "Larkwood toot number"]) == []
    assert stats(engine) == before
    rollups_consistent(engine)
    with engine.connect() as conn:
        assert conn.execute(select(Case.id)).all()  # type: ignore[call-overload]
        last = conn.execute(
            text("SELECT stats, items_new FROM crawl_run WHERE source = 'toots' ORDER BY id DESC")
        ).first()
    assert last is not None
    run_stats = last.stats if isinstance(last.stats, dict) else json.loads(last.stats)
    # the toots served again and the newer one: skipped as forgotten, none new, none lost
    assert run_stats["grapevine/items_forgotten"] >= 1 and last.items_new == 0
    engine.dispose()


def test_the_commands_have_help_and_name_the_person() -> None:
    for command in ("forget", "export-person"):
        shown = CliRunner().invoke(cli, [command, "--help"])
        assert shown.exit_code == 0 and "Example" in shown.output
    bare = CliRunner().invoke(cli, ["forget", "--yes"])
    assert bare.exit_code == 2 and "name the person" in bare.output
    bad = CliRunner().invoke(cli, ["forget", "--author", "anna"])
    assert bad.exit_code == 2 and "SOURCE:HANDLE" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_file_records_of_forgotten_cases_are_removed(tmp_path: Path, fmt: str) -> None:
    from storage.privacy import needle_pattern
    from triage.privacy_files import remove_records

    path = tmp_path / f"cases.{fmt}"
    records = [
        {"case_id": 1, "author": "Anna Quill", "text": "late again"},
        {"case_id": 2, "author": "Bo", "text": "Anna Quill said so too"},
        {"case_id": 3, "author": "Cy", "text": "fine"},
    ]
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(["delivery_id", "case_id", "author", "text"])
            for r in records:
                writer.writerow(["k", r["case_id"], r["author"], r["text"]])
    pattern = needle_pattern(["Anna Quill", "author", "case_id"])  # keys are never matched
    assert remove_records(path, fmt=fmt, case_ids={1}, pattern=pattern, dry_run=True) == 2
    assert remove_records(path, fmt=fmt, case_ids={1}, pattern=pattern) == 2
    left = path.read_text(encoding="utf-8-sig")
    assert "Anna" not in left and "fine" in left
    if fmt == "csv":
        assert left.startswith("delivery_id,case_id")


def test_the_dashboard_is_handed_the_file_drop_paths(tmp_path: Path) -> None:
    from grapevine.config import load_config
    from grapevine.wiring import dashboard_settings

    path = tmp_path / "grapevine.toml"
    path.write_text(CONFIG.format(url="sqlite:///x.db", base="http://127.0.0.1:9"), "utf-8")
    handed = dashboard_settings(load_config(str(path)))
    assert handed.file_exports == [
        ("drop", str(tmp_path / "exports" / "cases.jsonl"), "jsonl"),
        ("sheet", str(tmp_path / "exports" / "cases.csv"), "csv"),
    ]


def test_forget_waits_for_a_running_job_and_stops_before_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grapevine.cli import privacy as privacy_cli
    from grapevine.locks import RunLock

    url = f"sqlite:///{tmp_path / 'grapevine.db'}"
    (tmp_path / "grapevine.toml").write_text(
        CONFIG.format(url=url, base="http://127.0.0.1:9"), "utf-8"
    )
    monkeypatch.setattr(privacy_cli, "LOCK_WAIT", 0.2)
    engine = make_engine(url)
    upgrade(engine)
    with RunLock(engine, "run"):
        busy = invoke("forget", "--author", "toots:anna", "--yes", cwd=tmp_path)
    assert busy.exit_code == 3 and "nothing was erased" in busy.output, busy.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tombstone")).scalar_one() == 0
    # a file-drop export that cannot be rewritten: nothing erased, one line, run it again
    (tmp_path / "exports" / "cases.jsonl").mkdir(parents=True)
    broken = invoke("forget", "--author", "toots:anna", "--yes", cwd=tmp_path)
    assert broken.exit_code == 2 and "nothing was erased in the database" in broken.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tombstone")).scalar_one() == 0
    (tmp_path / "exports" / "cases.jsonl").rmdir()
    done = invoke("forget", "--author", "toots:anna", "--yes", cwd=tmp_path)
    assert done.exit_code == 0, done.output
    engine.dispose()


def test_the_preview_lists_what_cannot_be_recalled(capsys: pytest.CaptureFixture[str]) -> None:
    from grapevine.cli.privacy import _show
    from grapevine.privacy import Plan
    from storage.privacy import Person

    sent = [
        {"case_id": 7, "target": "helpdesk", "state": "sent", "reference": "ZD-19"},
        {"case_id": 7, "target": "drop", "state": "sent", "reference": "cases.jsonl@10"},
    ]
    plan = Plan(Person(customer_ids=[1]), {"customer": 1}, sent, [("drop", Path("x"), 1)])
    _show(plan, done=False)
    shown = capsys.readouterr().out
    assert "case #7 → helpdesk (sent, reference ZD-19)" in shown
    assert "→ drop" not in shown and "file-drop export drop (x): 1 record(s) to remove" in shown

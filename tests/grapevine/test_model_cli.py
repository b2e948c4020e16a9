"""``grapevine model``: learning from the desk's decisions on the demo's database, end to end.

The demo database is built by the real ``grapevine demo --no-dashboard`` (its bundled site,
the daily job, SQLite); the decisions are made through the case workflow
(:func:`triage.cases.update_case`) and the desk labels (:mod:`storage.model_registry`), then
the commands run through click's CliRunner."""

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crawler.analysis_worker import analyzer_for
from grapevine.cli import cli
from storage import make_engine
from storage import model_registry as registry
from storage.mentions import upsert_mentions
from storage.models import Case, Mention
from triage.cases import Change, get_case, update_case

pytest.importorskip("scipy")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [
            str(Path(sys.executable).with_name("grapevine")),
            "demo",
            "--no-dashboard",
            "--dir",
            str(directory),
            "--site-port",
            "0",
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=240,
    )
    return directory


@pytest.fixture
def demo(demo_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo's directory (config and database) for one test."""
    copy = tmp_path / "demo"
    shutil.copytree(demo_dir, copy)
    config = copy / "grapevine.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(str(demo_dir), str(copy)), encoding="utf-8"
    )
    return config


def _url(config: Path) -> str:
    return f"sqlite:///{config.parent / 'grapevine.db'}"


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["model", *args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.output


def _agreement(output: str, when: str) -> float:
    found = re.search(rf"^{when} \([^)]*\): agrees with (\d+)%", output, re.M)
    assert found, output
    return float(found.group(1))


def _decide_as_the_model_did(config: Path) -> int:
    """The desk's decisions on the demo's cases, all as the model called them: complaints
    resolved with an action, the others dismissed as not a complaint."""
    engine = make_engine(_url(config))
    with engine.connect() as conn:
        cases = conn.execute(
            select(Case.id, Mention.complaint).join(Mention, Mention.id == Case.mention_id)
        ).all()
        praise = conn.execute(
            select(Mention.id).where(Mention.label == "positive", Mention.complaint.is_(False))
        ).all()
    for case_id, complaint in cases:
        case = get_case(engine, case_id)
        assert case is not None
        change = (
            Change(status="resolved", action="refund issued")
            if complaint
            else Change(status="dismissed", dismissed_reason="Not a complaint: a price remark")
        )
        update_case(engine, case_id, version=case.version, actor="ana", change=change)
    with engine.begin() as conn:
        for (mention_id,) in praise:
            registry.record_desk_label(
                conn, mention_id=mention_id, kind="sentiment", value=0.8, actor="ana"
            )
    return len(cases) + len(praise)


def _seed_praise_read_as_complaints(config: Path) -> None:
    """42 mentions the shipped model reads as complaints half the time, each labelled "not a
    complaint" by the desk (a late parcel the customer shrugs off)."""
    items = ["my beans", "the grinder", "the gift box", "our order", "the decaf", "the kit",
             "my subscription box", "the filter papers"]  # fmt: skip
    verbs = ["arrived", "came", "turned up", "showed up", "got here", "was delivered"]
    tails = ["no big deal", "not bothered at all", "no problem, happens", "all good",
             "no worries", "totally fine with me"]  # fmt: skip
    texts = [
        f"{item.capitalize()} {verb} {2 + i % 4} days late, {tail}."
        for i, (item, verb, tail) in enumerate(itertools.product(items, verbs, tails))
        if i % 7 == 0
    ]
    engine = make_engine(_url(config))
    rows = [
        {"source": "desk-seed", "external_id": f"s{i}", "source_type": "review", "text": text}
        for i, text in enumerate(texts)
    ]
    ids = upsert_mentions(engine, rows).new_ids
    with engine.begin() as conn:
        for mention_id in ids:
            registry.record_desk_label(
                conn, mention_id=mention_id, kind="complaint", value=0.0, actor="ana"
            )


def test_every_model_command_has_help_with_an_example() -> None:
    for name in ("train", "list", "rollback", "rescore", "label"):
        result = CliRunner().invoke(cli, ["model", name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_a_decision_by_hand_is_a_desk_label(demo: Path) -> None:
    out = _run(demo, "label", "3", "--sentiment", "-0.6", "--attention", "--by", "ana")
    assert out.strip() == "mention 3: sentiment -0.6, attention 1"
    with make_engine(_url(demo)).connect() as conn:
        found = {(d.mention_id, d.kind, d.value) for d in registry.desk_decisions(conn)}
    assert found == {(3, "sentiment", -0.6), (3, "complaint", 1.0)}
    bad = CliRunner().invoke(cli, ["model", "label", "999", "--complaint", "--config", str(demo)])
    assert bad.exit_code != 0 and "no mention 999" in bad.output


def test_too_few_decisions_is_one_line(demo: Path) -> None:
    result = CliRunner().invoke(cli, ["model", "train", "--from-desk", "--config", str(demo)])
    assert result.exit_code != 0
    assert "at least 20 are needed" in result.output and "Traceback" not in result.output


def test_decisions_that_agree_with_the_model_do_not_switch_it(demo: Path) -> None:
    decided = _decide_as_the_model_did(demo)
    assert decided >= 20
    out = _run(demo, "train", "--from-desk")
    assert f"{decided} desk decisions" in out
    before, after = _agreement(out, "before"), _agreement(out, "after")
    assert before >= after, out  # nothing to learn: no better
    assert "not better: lr1 stays in use" in out
    listed = _run(demo, "list")
    assert re.search(r"^\* lr1 ", listed, re.M) and re.search(r"^  lr1-desk1 ", listed, re.M)


def test_train_switches_when_better_then_rescore_and_rollback(demo: Path) -> None:
    _decide_as_the_model_did(demo)
    _seed_praise_read_as_complaints(demo)
    out = _run(demo, "train", "--from-desk")
    before, after = _agreement(out, "before"), _agreement(out, "after")
    assert after > before, out
    assert "switched to lr1-desk1" in out
    assert re.search(r"^\* lr1-desk1 ", _run(demo, "list"), re.M)
    # the crawl's analyser scores new mentions with the active model
    crawl = analyzer_for({}, {}, "triage", _url(demo))
    assert crawl.analyze("Still waiting for my refund.").version == "grapevine-0.4+lr1-desk1"

    engine = make_engine(_url(demo))

    def versions(open_only: bool = True) -> set[str]:
        query = select(Mention.analyser_version).join(Case, Case.mention_id == Mention.id)
        if open_only:
            query = query.where(Case.status.in_(registry.OPEN_STATUSES))
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}

    # the decisions closed every demo case: reopen two, as a person would
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(select(Case.id).limit(2))]
    for case_id in ids:
        case = get_case(engine, case_id)
        assert case is not None
        update_case(
            engine, case_id, version=case.version, actor="ana", change=Change(status="in_progress")
        )
    assert versions() == {"grapevine-0.4+lr1"}  # switching rescored nothing
    assert "rescored 2 mentions of open cases" in _run(demo, "rescore", "--open-cases")
    assert versions() == {"grapevine-0.4+lr1-desk1"}
    assert "grapevine-0.4+lr1" in versions(open_only=False)  # closed cases kept theirs

    assert "lr1 is in use" in _run(demo, "rollback", "lr1")
    assert re.search(r"^\* lr1 ", _run(demo, "list"), re.M)
    _run(demo, "rescore", "--open-cases")
    assert versions() == {"grapevine-0.4+lr1"}

    bad = CliRunner().invoke(cli, ["model", "rollback", "nope", "--config", str(demo)])
    assert bad.exit_code != 0 and "no model 'nope'" in bad.output

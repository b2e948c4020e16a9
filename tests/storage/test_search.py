"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector + GIN): the same answers."""

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlmodel import col

from storage.mentions import upsert_mentions
from storage.models import CASE_STATUSES, Mention
from storage.queries import QueueFilter, queue_page
from storage.search import Term, parse, search_mention_ids
from tests.dashboard.seed import mention, seed_desk

HOSTILE_QUERIES = [
    '"',
    '""',
    "*",
    "refund*)",
    "NEAR(",
    "NEAR(refund charged, 2)",
    "'); DROP TABLE mention; --",
    "title:refund",
    "refund AND OR NOT",
    "^refund",
    "a:* & !b | (c",
    "\\",
    "%_",
    "🙂 ﷽",
    "x" * 5000,
]


def _ids(engine: Engine, query: str) -> set[str]:
    with engine.connect() as conn:
        found = search_mention_ids(conn, query=query, limit=1000)
        names = conn.execute(
            select(col(Mention.external_id)).where(col(Mention.id).in_(found))
        ).scalars()
        return set(names)


@pytest.fixture
def mentions(engine: Engine) -> Engine:
    upsert_mentions(
        engine,
        [
            mention("m1", 1, title="Never arrived", text="My parcel never arrived. Refund please."),
            mention("m2", 2, text="It arrived late and it was never warm", author="Café Owner"),
            mention("m3", 3, text="Delivery was quick, refunded the extra charge"),
            mention("m4", 4, text="Order LW-204518 still missing; e-mail support@larkwood.example"),
            mention("m5", 5, text="REFUND! REFUND! Deliveries keep failing", author="Jo_Blogs"),
            mention("m6", 6, text="Great beans, 100% arabica", title=None),
        ],
    )
    return engine


def test_parse_keeps_words_phrases_and_prefixes_only() -> None:
    assert parse('refund "never arrived" deliver*') == [
        Term(("refund",)),
        Term(("never", "arrived")),
        Term(("deliver",), prefix=True),
    ]
    assert parse("LW-204518") == [Term(("lw", "204518"))]
    assert parse("NEAR( '); DROP") == [Term(("near",)), Term(("drop",))]
    assert parse('" * \\ %_') == []
    assert len(parse(" ".join(f"w{i}" for i in range(20)))) == 8


def test_words_phrases_prefixes_on_both_backends(mentions: Engine) -> None:
    assert _ids(mentions, "refund") == {"m1", "m5"}  # a word, any case; not 'refunded'
    assert _ids(mentions, "refund*") == {"m1", "m3", "m5"}
    assert _ids(mentions, "Refund parcel") == {"m1"}  # every word
    assert _ids(mentions, '"never arrived"') == {"m1"}  # words in a row, in order
    assert _ids(mentions, "never arrived") == {"m1", "m2"}
    assert _ids(mentions, '"arrived never"') == set()
    assert _ids(mentions, "deliver*") == {"m3", "m5"}
    assert _ids(mentions, "lw-204518") == {"m4"}  # an order number is its parts in a row
    assert _ids(mentions, "larkwood") == {"m4"}  # inside an e-mail address
    assert _ids(mentions, "support@larkwood.example") == {"m4"}
    assert _ids(mentions, "café") == {"m2"}  # the author, with its accent
    assert _ids(mentions, "cafe") == set()
    assert _ids(mentions, "blogs") == {"m5"}
    assert _ids(mentions, "100%") == {"m6"}  # the number, not a wildcard
    assert _ids(mentions, "arrived") == {"m1", "m2"}  # title or text


def test_the_index_follows_updates_and_deletes(mentions: Engine) -> None:
    edited = mention("m1", 1, title="Sorted", text="All good now, thanks", content_hash="m1-v2")
    upsert_mentions(mentions, [edited])
    assert _ids(mentions, "parcel") == set()
    assert _ids(mentions, "thanks") == {"m1"}
    with mentions.begin() as conn:
        conn.execute(
            update(Mention).where(col(Mention.external_id) == "m2").values(author="Barista")
        )
        conn.execute(delete(Mention).where(col(Mention.external_id) == "m5"))
    assert _ids(mentions, "café") == set()
    assert _ids(mentions, "barista") == {"m2"}
    assert _ids(mentions, "deliveries") == set()
    # an update of other columns leaves the index as it was
    with mentions.begin() as conn:
        conn.execute(update(Mention).values(label="negative"))
    assert _ids(mentions, "refund*") == {"m3"}


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_are_no_error(mentions: Engine, query: str) -> None:
    found = _ids(mentions, query)
    assert found <= {"m1", "m2", "m3", "m4", "m5", "m6"}
    rows, total = queue_page(mentions, filters=QueueFilter(text=query, statuses=CASE_STATUSES))
    assert total == len(rows)
    with mentions.connect() as conn:  # and the table is still there
        assert conn.execute(text("SELECT count(*) FROM mention")).scalar() == 6


def test_the_queue_searches_open_and_closed_cases(engine: Engine) -> None:
    desk = seed_desk(engine)

    def authors(**filters: object) -> list[str]:
        rows, total = queue_page(engine, filters=QueueFilter(**filters))  # type: ignore[arg-type]
        assert total == len(rows)
        return [row["author"] for row in rows]

    assert authors(text='"still waiting" refund') == ["Maria Lopez"]
    assert authors(text='"waiting still"') == []
    assert set(authors(text="refu*")) == {"Maria Lopez", "Ahmed <b>Hassan</b>"}
    # the resolved case is found only when closed cases are searched too
    assert authors(text="bianchi") == []
    assert authors(text="bianchi", statuses=CASE_STATUSES) == ["Marco Bianchi"]
    assert authors(text=f"#{desk['case_stale']}", statuses=CASE_STATUSES) == ["Marco Bianchi"]


@pytest.mark.postgres
def test_postgres_uses_the_gin_index(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    upsert_mentions(engine, [mention(f"x{i}", 1, text=f"word{i} filler") for i in range(200)])
    with engine.begin() as conn:
        conn.execute(text("ANALYZE mention"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))

        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT id FROM mention WHERE search_document @@ "
                    "to_tsquery('simple'::regconfig, 'word7')"
                )
            )
        )
    assert "ix_mention_fts" in plan


@pytest.mark.postgres
def test_the_storage_benchmark_runs_small(postgres_server_url: str) -> None:
    """benchmarks/storage/bench.py end to end on 2,000 mentions (a smoke test, not a figure)."""
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy.engine import make_url

    root = Path(__file__).resolve().parents[2]
    server = make_url(postgres_server_url).set(database="postgres").render_as_string(False)
    done = subprocess.run(
        [sys.executable, "benchmarks/storage/bench.py", "--server", server, "--rows", "2000",
         "--repeat", "1", "--ingest", "200"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert any(line.startswith("| search: closed too, 'lw-100042'") for line in lines)
    assert any(line.startswith("| storage.mentions.upsert_mentions") for line in lines)
    assert "2,000 mentions" in done.stdout


@pytest.mark.postgres
def test_postgres_connections_run_without_jit(engine: Engine) -> None:
    """JIT compiling costs more than the queue's queries at 10 M mentions (benchmarks/storage)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"


def test_a_search_counts_up_to_the_cap_and_both_ways_agree(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count of a search stops past QUEUE_COUNT_CAP; a rare search looked up in the index
    first (PostgreSQL) finds exactly what the case-by-case check finds."""
    import storage.queries
    import storage.search

    upsert_mentions(
        engine,
        [
            mention(f"c{i}", 1, text=f"refund {i} never came", needs_attention=True)
            for i in range(6)
        ],
    )
    from triage.opening import open_cases
    from triage.policy import TriagePolicy

    open_cases(engine, TriagePolicy())
    everything = QueueFilter(text="refund", statuses=CASE_STATUSES)
    rows, total = queue_page(engine, filters=everything)
    assert (len(rows), total) == (6, 6)
    monkeypatch.setattr(storage.queries, "QUEUE_COUNT_CAP", 3)
    monkeypatch.setattr(storage.search, "FEW_MATCHES", 0)  # checked case by case, counted
    rows, total = queue_page(engine, filters=everything, limit=2)
    assert (len(rows), total) == (2, 4)  # "more than 3"
    monkeypatch.setattr(storage.search, "FEW_MATCHES", 5000)  # found first: counted exactly
    assert queue_page(engine, filters=everything, limit=2)[1] == (
        6 if engine.dialect.name == "postgresql" else 4
    )
    rows, total = queue_page(engine, filters=QueueFilter(statuses=CASE_STATUSES), limit=2)
    assert total == 6  # without a search the count is exact
    monkeypatch.setattr(storage.queries, "QUEUE_COUNT_CAP", 1000)
    found = {}
    for few in (0, 5000):  # 0: never looked up first; 5000: always (on PostgreSQL)
        monkeypatch.setattr(storage.search, "FEW_MATCHES", few)
        found[few] = [
            [r["id"] for r in queue_page(engine, filters=QueueFilter(text=q))[0]]
            for q in ("refund", '"never came"', "3", "nothing-like-it", "refu*")
        ]
    assert found[0] == found[5000]
    assert [len(ids) for ids in found[0]] == [6, 6, 1, 0, 6]

"""Full-text search over mentions: SQLite FTS5 and PostgreSQL ``tsvector`` with a GIN index.

What a person types is parsed here into terms, never handed to the database's query syntax:

* ``refund late`` — mentions with both words (in the title, the text or the author);
* ``"never arrived"`` — the words next to each other, in that order (a phrase);
* ``deliver*`` — any word starting with ``deliver`` (a prefix).

Words are runs of letters and digits, compared without case (``Refund`` finds ``refund``)
but with their accents (``café`` is not ``cafe``), the same on both backends. Quotes, stars,
brackets, ``NEAR(``, ``'); DROP`` and the like are only separators: a query can never be a
syntax error. A query with no word in it matches nothing.

SQLite: the external-content FTS5 table ``mention_fts`` (title, text, author) kept in step
with ``mention`` by the triggers ``mention_fts_insert/delete/update`` (migration
``0014_search``). PostgreSQL: the stored generated ``tsvector`` column ``mention.search_document``
(:data:`PG_DOCUMENT`) with the GIN index ``ix_mention_fts``; stored rather than an expression
index so that checking one row is cheap too (the queue checks the open cases one by one, and
the planner then picks the index or the row check by their true costs).
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Text,
    bindparam,
    column,
    false,
    literal_column,
    select,
    table,
    text,
)
from sqlmodel import col

from storage.models import Mention

#: At most this many terms of a query are used (the rest is ignored).
MAX_TERMS = 8
#: A word longer than this is cut (nobody searches for 200 letters).
MAX_WORD = 60
#: The objects migration 0014 creates outside the models (not compared by autogenerate).
FTS_TABLE = "mention_fts"
PG_INDEX = "ix_mention_fts"
PG_COLUMN = "search_document"
SQLITE_TRIGGERS = ("mention_fts_insert", "mention_fts_delete", "mention_fts_update")
#: The document PostgreSQL indexes (the generated column's expression).
#: Every run of characters other than letters and digits becomes a space first, so that a
#: word is what it is on SQLite (PostgreSQL's parser alone reads ``LW-204518`` as ``lw`` and
#: ``-204518``, an e-mail address or a host name as one word).
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, regexp_replace(coalesce(title, '') || ' ' || "
    "coalesce(text, '') || ' ' || coalesce(author, ''), "
    "'[^[:alnum:]]+', ' ', 'g'))"
)

_FTS = table(FTS_TABLE, column("rowid", Integer), column(FTS_TABLE, Text))
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One part of a query: a word, a phrase (several words in order), or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


def parse(query: str) -> list[Term]:
    """The terms of what a person typed (see the module's docstring)."""
    terms: list[Term] = []
    for quoted, bare in _TOKEN.findall(query or ""):
        if quoted:
            words = tuple(w.lower()[:MAX_WORD] for w in _WORD.findall(quoted))
            if words:
                terms.append(Term(words))
            continue
        # ``LW-204518`` or ``e-mail`` is its words in a row (a phrase); a star ends a prefix
        words = tuple(w.lower()[:MAX_WORD] for w in _WORD.findall(bare))
        if words:
            terms.append(Term(words, prefix=bare.endswith("*")))
    return terms[:MAX_TERMS]


def fts5_query(terms: list[Term]) -> str:
    """The FTS5 MATCH expression for ``terms``: every term quoted, all of them required."""
    # the words hold letters and digits only, so quoting them cannot be escaped from
    return " ".join('"' + " ".join(t.words) + '"' + ("*" if t.prefix else "") for t in terms)


def pg_tsquery(terms: list[Term]) -> str:
    """The ``to_tsquery('simple', …)`` text for ``terms``: AND of words, phrases and prefixes."""
    parts = []
    for term in terms:
        words = list(term.words)
        if term.prefix:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " & ".join(parts)


def mention_matches(query: str, dialect: str) -> ColumnElement[bool]:
    """A condition on :class:`~storage.models.Mention`: it matches ``query``.

    On SQLite the ids come from the FTS5 table (looked up once for the whole statement); on
    PostgreSQL the match is the indexed ``tsvector`` expression against a ``tsquery``.
    """
    terms = parse(query)
    if not terms:
        return false()
    if dialect == "postgresql":
        return literal_column(f"mention.{PG_COLUMN}").op("@@")(
            text("to_tsquery('simple'::regconfig, :fts_query)").bindparams(
                bindparam("fts_query", pg_tsquery(terms))
            )
        )
    ids = select(_FTS.c.rowid).where(_FTS.c[FTS_TABLE].op("MATCH")(fts5_query(terms)))
    return col(Mention.id).in_(ids)


#: A search with at most this many matching mentions is looked up in the index first.
FEW_MATCHES = 5000


def few_matches(conn: Connection, *, query: str) -> list[int] | None:
    """The ids of the mentions matching ``query`` when there are few (PostgreSQL), else None.

    A rare word or phrase (an order number, a name) is then found through the GIN index and
    its cases by their mention id; a common one is better checked case by case along the
    queue's order, stopping at the page's end. The planner alone cannot tell the two apart
    (its estimate for a phrase of common and rare words is far off), so this asks the index,
    at most :data:`FEW_MATCHES` + 1 rows.
    """
    terms = parse(query)
    if conn.dialect.name != "postgresql" or not terms:
        return None
    if _surely_common(conn, terms):
        return None  # not worth asking the index: it would list hundreds of thousands
    ids = list(
        conn.execute(
            select(col(Mention.id))
            .where(mention_matches(query, conn.dialect.name))
            .limit(FEW_MATCHES + 1)
        ).scalars()
    )
    return None if len(ids) > FEW_MATCHES else [int(i) for i in ids if i is not None]


def _surely_common(conn: Connection, terms: list[Term]) -> bool:
    """Whether ANALYZE's statistics say every term is in more than FEW_MATCHES mentions."""
    stats = conn.execute(
        text(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
            "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
            "WHERE s.tablename = 'mention' AND s.attname = :column"
        ).bindparams(column=PG_COLUMN)
    ).one_or_none()
    if stats is None or not stats[0]:
        return False  # no statistics yet: ask the index
    elems, freqs, rows = stats
    frequency = dict(zip(elems, freqs, strict=False))
    for term in terms:
        if term.prefix:
            return False  # a prefix may match few words: ask the index
        # a word missing from the most common ones is rarer than all of them
        share = min(frequency.get(word, 0.0) for word in term.words)
        if share * float(rows) <= FEW_MATCHES:
            return False
    return True


def search_mention_ids(conn: Connection, *, query: str, limit: int = 100) -> list[int]:
    """The ids of the newest mentions matching ``query`` (newest first)."""
    found = conn.execute(
        select(col(Mention.id))
        .where(mention_matches(query, conn.dialect.name))
        .order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
        .limit(limit)
    )
    return [int(i) for (i,) in found if i is not None]


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's ``include_name`` hook: leave the search objects out of autogenerate.

    They exist on one backend only and are written by hand in migration ``0014_search``
    (an FTS5 virtual table and its shadow tables; a generated column and its GIN index).
    """
    if name is None:
        return True
    if type_ == "table":
        return not (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))
    if type_ == "index":
        return name != PG_INDEX
    if type_ == "column":
        return name != PG_COLUMN
    return True


# -- the objects migration 0014 creates (kept here, next to the queries that use them) --------

_SQLITE_COLUMNS = "title, text, author"


def sqlite_statements() -> list[str]:
    """Create ``mention_fts``, fill it from ``mention`` and keep it in step by triggers."""
    old = f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {_SQLITE_COLUMNS}) "
    old += "VALUES ('delete', old.id, old.title, old.text, old.author);"
    new = f"INSERT INTO {FTS_TABLE} (rowid, {_SQLITE_COLUMNS}) "
    new += "VALUES (new.id, new.title, new.text, new.author);"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_SQLITE_COLUMNS}, "
        "content='mention', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')",
        f"CREATE TRIGGER IF NOT EXISTS mention_fts_insert AFTER INSERT ON mention BEGIN {new} END",
        f"CREATE TRIGGER IF NOT EXISTS mention_fts_delete AFTER DELETE ON mention BEGIN {old} END",
        "CREATE TRIGGER IF NOT EXISTS mention_fts_update AFTER UPDATE OF title, text, author "
        f"ON mention BEGIN {old} {new} END",
    ]


def sqlite_drop_statements() -> list[str]:
    """Undo :func:`sqlite_statements`."""
    drops = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    return [*drops, f"DROP TABLE IF EXISTS {FTS_TABLE}"]


def pg_statements() -> list[str]:
    """The generated column :data:`PG_DOCUMENT` and its GIN index (rewrites ``mention`` once)."""
    return [
        f"ALTER TABLE mention ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED",
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON mention USING gin ({PG_COLUMN})",
    ]


def pg_drop_statements() -> list[str]:
    """Undo :func:`pg_statements`."""
    return [
        f"DROP INDEX IF EXISTS {PG_INDEX}",
        f"ALTER TABLE mention DROP COLUMN IF EXISTS {PG_COLUMN}",
    ]


def install(conn: Connection) -> None:
    """Create the search objects for ``conn``'s backend (idempotent).

    A migration that recreates ``mention`` on SQLite (Alembic batch mode) drops the triggers
    and must call this again.
    """
    statements = pg_statements() if conn.dialect.name == "postgresql" else sqlite_statements()
    for statement in statements:
        conn.exec_driver_sql(statement)

"""Daily rollups of mentions (``mention_day``, ``aspect_day``), kept by database triggers.

Brand health over a million mentions must not scan them: triggers on ``mention`` add each
inserted row to its day's totals, take deleted rows out, and move updated ones (a re-scored
label, an edited rating). Every writer is covered, whichever code path it takes. Written for
SQLite and PostgreSQL; :func:`rebuild` recomputes both tables from the mentions (after a bulk
load with the triggers removed, or to repair).

A migration that recreates the ``mention`` table on SQLite (Alembic batch mode) drops its
triggers: it must call :func:`install` again.
"""

from sqlalchemy import Connection, text

TRIGGERS = ("mention_rollup_insert", "mention_rollup_delete", "mention_rollup_update")
WATCHED = (
    "published_at, brand, is_competitor, source, label, sentiment, rating, needs_attention, aspects"
)
COUNTS = "mentions, positive, negative, sentiment_sum, rating_sum, rated, attention"

# -- SQLite ---------------------------------------------------------------------------------

_SQLITE_DAY = "substr({r}.published_at, 1, 10)"
_SQLITE_ASPECTS = (
    "json_each(CASE WHEN json_valid({r}.aspects) AND json_array_length({r}.aspects) > 0 "
    "THEN {r}.aspects ELSE '[\"(none)\"]' END)"
)


def _sqlite_apply(r: str, sign: str) -> str:
    """Statements adding (``sign`` '+') or removing ('-') row ``r`` (NEW/OLD) to the rollups."""
    day = _SQLITE_DAY.format(r=r)
    key = (
        f"day = {day} AND brand = {r}.brand AND is_competitor = {r}.is_competitor "
        f"AND source = {r}.source"
    )
    aspects = _SQLITE_ASPECTS.format(r=r)
    attention = f"{r}.needs_attention AND NOT {r}.is_competitor"
    return f"""
    INSERT OR IGNORE INTO mention_day (day, brand, is_competitor, source, {COUNTS})
        VALUES ({day}, {r}.brand, {r}.is_competitor, {r}.source, 0, 0, 0, 0, 0, 0, 0);
    UPDATE mention_day SET
        mentions = mentions {sign} 1,
        positive = positive {sign} (CASE WHEN {r}.label = 'positive' THEN 1 ELSE 0 END),
        negative = negative {sign} (CASE WHEN {r}.label = 'negative' THEN 1 ELSE 0 END),
        sentiment_sum = sentiment_sum {sign} coalesce({r}.sentiment, 0),
        rating_sum = rating_sum {sign} coalesce({r}.rating, 0),
        rated = rated {sign} (CASE WHEN {r}.rating IS NULL THEN 0 ELSE 1 END),
        attention = attention {sign} (CASE WHEN {r}.needs_attention THEN 1 ELSE 0 END)
        WHERE {key};
    INSERT OR IGNORE INTO aspect_day (day, aspect, mentions)
        SELECT DISTINCT {day}, value, 0 FROM {aspects} WHERE {attention};
    UPDATE aspect_day SET mentions = mentions {sign} 1
        WHERE day = {day} AND aspect IN (SELECT value FROM {aspects}) AND {attention};
"""


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS mention_rollup_insert AFTER INSERT ON mention BEGIN "
        f"{_sqlite_apply('NEW', '+')} END",
        f"CREATE TRIGGER IF NOT EXISTS mention_rollup_delete AFTER DELETE ON mention BEGIN "
        f"{_sqlite_apply('OLD', '-')} END",
        f"CREATE TRIGGER IF NOT EXISTS mention_rollup_update AFTER UPDATE OF {WATCHED} "
        f"ON mention BEGIN {_sqlite_apply('OLD', '-')} {_sqlite_apply('NEW', '+')} END",
    ]


_SQLITE_REBUILD = [
    "DELETE FROM mention_day",
    "DELETE FROM aspect_day",
    f"""INSERT INTO mention_day (day, brand, is_competitor, source, {COUNTS})
    SELECT substr(published_at, 1, 10), brand, is_competitor, source, count(*),
        sum(CASE WHEN label = 'positive' THEN 1 ELSE 0 END),
        sum(CASE WHEN label = 'negative' THEN 1 ELSE 0 END),
        coalesce(sum(sentiment), 0), coalesce(sum(rating), 0), count(rating),
        sum(CASE WHEN needs_attention THEN 1 ELSE 0 END)
    FROM mention GROUP BY 1, 2, 3, 4""",
    f"""INSERT INTO aspect_day (day, aspect, mentions)
    SELECT day, value, count(*) FROM (
        SELECT DISTINCT m.id, substr(m.published_at, 1, 10) AS day, j.value AS value
        FROM mention AS m, {_SQLITE_ASPECTS.format(r="m")} AS j
        WHERE m.needs_attention AND NOT m.is_competitor
    ) GROUP BY day, value""",
]

# -- PostgreSQL -----------------------------------------------------------------------------

_PG_ASPECTS = (
    "CASE WHEN json_typeof({r}.aspects) = 'array' AND json_array_length({r}.aspects) > 0 "
    "THEN {r}.aspects ELSE '[\"(none)\"]'::json END"
)

_PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION grapevine_rollup_apply(r mention, s integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE d text := to_char(r.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD');
BEGIN
    INSERT INTO mention_day AS m (day, brand, is_competitor, source, {COUNTS})
    VALUES (d, r.brand, r.is_competitor, r.source, s,
        CASE WHEN r.label = 'positive' THEN s ELSE 0 END,
        CASE WHEN r.label = 'negative' THEN s ELSE 0 END,
        s * coalesce(r.sentiment, 0), s * coalesce(r.rating, 0),
        CASE WHEN r.rating IS NULL THEN 0 ELSE s END,
        CASE WHEN r.needs_attention THEN s ELSE 0 END)
    ON CONFLICT (day, brand, is_competitor, source) DO UPDATE SET
        mentions = m.mentions + EXCLUDED.mentions,
        positive = m.positive + EXCLUDED.positive,
        negative = m.negative + EXCLUDED.negative,
        sentiment_sum = m.sentiment_sum + EXCLUDED.sentiment_sum,
        rating_sum = m.rating_sum + EXCLUDED.rating_sum,
        rated = m.rated + EXCLUDED.rated,
        attention = m.attention + EXCLUDED.attention;
    IF r.needs_attention AND NOT r.is_competitor THEN
        INSERT INTO aspect_day AS a (day, aspect, mentions)
        SELECT d, x, s FROM (
            SELECT DISTINCT json_array_elements_text({_PG_ASPECTS.format(r="r")}) AS x
        ) AS t
        ON CONFLICT (day, aspect) DO UPDATE SET mentions = a.mentions + EXCLUDED.mentions;
    END IF;
END $$""",
    """CREATE OR REPLACE FUNCTION grapevine_mention_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM grapevine_rollup_apply(OLD, -1); END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM grapevine_rollup_apply(NEW, 1); END IF;
    RETURN NULL;
END $$""",
]


def _pg_triggers() -> list[str]:
    return [
        *_PG_FUNCTIONS,
        "CREATE TRIGGER mention_rollup_insert AFTER INSERT ON mention "
        "FOR EACH ROW EXECUTE FUNCTION grapevine_mention_rollup()",
        "CREATE TRIGGER mention_rollup_delete AFTER DELETE ON mention "
        "FOR EACH ROW EXECUTE FUNCTION grapevine_mention_rollup()",
        f"CREATE TRIGGER mention_rollup_update AFTER UPDATE OF {WATCHED} ON mention "
        "FOR EACH ROW EXECUTE FUNCTION grapevine_mention_rollup()",
    ]


_PG_REBUILD = [
    "DELETE FROM mention_day",
    "DELETE FROM aspect_day",
    f"""INSERT INTO mention_day (day, brand, is_competitor, source, {COUNTS})
    SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), brand, is_competitor,
        source, count(*),
        sum(CASE WHEN label = 'positive' THEN 1 ELSE 0 END),
        sum(CASE WHEN label = 'negative' THEN 1 ELSE 0 END),
        coalesce(sum(sentiment), 0), coalesce(sum(rating), 0), count(rating),
        sum(CASE WHEN needs_attention THEN 1 ELSE 0 END)
    FROM mention GROUP BY 1, 2, 3, 4""",
    f"""INSERT INTO aspect_day (day, aspect, mentions)
    SELECT day, x, count(*) FROM (
        SELECT DISTINCT m.id, to_char(m.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
            json_array_elements_text({_PG_ASPECTS.format(r="m")}) AS x
        FROM mention AS m WHERE m.needs_attention AND NOT m.is_competitor
    ) AS t GROUP BY day, x""",
]


def _run(conn: Connection, statements: list[str]) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)


def install(conn: Connection) -> None:
    """Create the triggers that keep the rollups (idempotent)."""
    remove(conn)
    _run(conn, _pg_triggers() if conn.dialect.name == "postgresql" else _sqlite_triggers())


def remove(conn: Connection) -> None:
    """Drop the triggers (the rollups then go stale until :func:`rebuild` and :func:`install`)."""
    for name in TRIGGERS:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON mention")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(conn: Connection) -> None:
    """Recompute both rollup tables from the mentions."""
    _run(conn, _PG_REBUILD if conn.dialect.name == "postgresql" else _SQLITE_REBUILD)


def installed(conn: Connection) -> set[str]:
    """The names of the rollup triggers present in the database."""
    if conn.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'mention'::regclass"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mention'"
    return {name for (name,) in conn.execute(text(query))} & set(TRIGGERS)

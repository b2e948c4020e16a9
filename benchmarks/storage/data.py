"""Fill a PostgreSQL database with millions of mentions fast, all in the server.

``INSERT … SELECT`` over ``generate_series`` (no row crosses the wire), in chunks of a
million, into a database upgraded by the real migrations. The indexes and unique
constraints of the big tables are dropped for the load and built again after it from their
own definitions (``pg_get_indexdef``/``pg_get_constraintdef``: the very indexes users get),
the rollup triggers are off during the load and the rollups rebuilt once. Seeded
(``setseed``): the same arguments give the same data. The mix follows
benchmarks/dashboard/data.py: eight sources over a year, 20 % competitors, a quarter
negative; a case per own negative mention, the old ones closed but for ``neglect``.
"""

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from storage import rollups

BRAND = "Larkwood Coffee"
BIG_TABLES = ("mention", "triage_case", "customer_link")
CHUNK = 1_000_000

SOURCES = (
    "ARRAY['trustpilot','appstore','google-reviews','reddit','hackernews','mastodon','bluesky',"
    "'news']"
)
BAD = (
    "ARRAY['Still waiting for my refund after three weeks, support never replied.',"
    "'My box never arrived and the courier tracking page never updated.',"
    "'Charged twice for the same order, the chat bot keeps closing.',"
    "'The grinder broke after a week, nobody answers my emails.',"
    "'The app logs me out every time I try to skip a delivery.',"
    "'Price went up again without notice, not worth it anymore.']"
)
GOOD = (
    "ARRAY['The coffee is fresh and fragrant, delivery was quick.',"
    "'Lovely beans, the subscription is easy to change in the app.',"
    "'Customer care sorted my issue within an hour.',"
    "'Great value bundle and a handwritten card.']"
)
NEUTRAL = (
    "ARRAY['Switched roasters last month, still comparing.',"
    "'Anyone tried the new decaf blend?',"
    "'The company opened a second roastery this year.']"
)
FIRST = "ARRAY['Maria','James','Priya','Tom','Aisha','Lukas','Chloe','Daniel','Sofia','Ben']"
LAST = "ARRAY['Lopez','Whitfield','Natarajan','Becker','Rahman','Meyer','Martin','Okafor']"
ASPECTS = (
    "ARRAY['[]','[\"delivery\"]','[\"billing\"]','[\"customer service\"]',"
    '\'["product quality"]\',\'["price"]\',\'["app/website"]\',\'["billing", "delivery"]\','
    '\'["customer service", "delivery"]\']'
)
PEOPLE = "ARRAY['ana','sam','lee','kim','jo','alex','max','pat']"

# one row per n: r1..r6 are independent random draws
MENTIONS = f"""
INSERT INTO mention (source, source_type, external_id, url, author, author_handle, title, text,
    rating, published_at, published_estimated, fetched_at, updated_at, language, reach, metrics,
    brand, is_competitor, content_hash, raw, sentiment, label, complaint, complaint_score,
    aspects, cues, analyser_version, needs_attention)
SELECT src, src, src || '-' || n, 'https://' || src || '.example/' || n,
    ({FIRST})[1 + floor(r5 * 10)::int] || ' ' || ({LAST})[1 + floor(r6 * 8)::int], NULL, NULL,
    body || ' Order LW-' || (100000 + n % 900000) || '.',
    CASE WHEN src IN ('trustpilot', 'appstore', 'google-reviews')
         THEN CASE WHEN label = 'negative' THEN 1 + floor(r4 * 2) ELSE 3 + floor(r4 * 3) END
    END,
    pub, false, pub, pub, 'en', floor(r4 * 5000)::int, '{{}}',
    CASE WHEN competitor THEN (ARRAY['Beanstalk Roasters', 'Copperpot Coffee'])[1 + (n % 2)]
         ELSE '{BRAND}' END,
    competitor, md5(n::text), '{{}}',
    CASE label WHEN 'negative' THEN -0.6 WHEN 'neutral' THEN 0.0 ELSE 0.7 END + (r4 - 0.5) * 0.6,
    label, label = 'negative' AND NOT competitor,
    CASE WHEN label = 'negative' AND NOT competitor THEN 0.8 ELSE 0.1 END,
    ({ASPECTS})[1 + floor(r6 * 9)::int]::json, '[]', 'bench', label = 'negative' AND NOT competitor
FROM (
    SELECT n, src, pub, competitor, label, r4, r5, r6,
        CASE label WHEN 'negative' THEN ({BAD})[1 + floor(r4 * 6)::int] || ' '
                                        || ({BAD})[1 + floor(r5 * 6)::int]
                   WHEN 'neutral' THEN ({NEUTRAL})[1 + floor(r4 * 3)::int]
                   ELSE ({GOOD})[1 + floor(r4 * 4)::int] || ' '
                        || ({GOOD})[1 + floor(r5 * 4)::int] END AS body
    FROM (
        SELECT n, ({SOURCES})[1 + floor(random() * 8)::int] AS src,
            :now - make_interval(secs => random() * 365 * 86400) AS pub,
            random() < 0.2 AS competitor,
            CASE WHEN r < 0.25 THEN 'negative' WHEN r < 0.45 THEN 'neutral'
                 ELSE 'positive' END AS label,
            random() AS r4, random() AS r5, random() AS r6
        FROM (SELECT n, random() AS r FROM generate_series(:first, :last) AS n) g
    ) a
) b
"""

# a case per mention needing attention; the old ones closed but for ``neglect``
CASES = f"""
INSERT INTO triage_case (mention_id, status, priority, assignee, opened_at, updated_at, due_at,
    first_action_at, resolved_at, dismissed_reason, action_taken, follow_up_at,
    follow_ups_done, version)
SELECT id, status, priority, assignee, opened, coalesce(resolved, first_at, opened),
    opened + CASE WHEN priority >= 0.7 THEN interval '4 hours' ELSE interval '24 hours' END,
    first_at, resolved, CASE WHEN status = 'dismissed' THEN 'spam' END,
    CASE WHEN acted THEN 'public reply' END,
    CASE WHEN status = 'resolved' AND resolved > :now - interval '120 days'
         THEN resolved + interval '30 days' END,
    0, 1
FROM (
    SELECT id, opened, priority, acted, closed,
        CASE WHEN closed THEN CASE WHEN r3 < 0.9 THEN 'resolved' ELSE 'dismissed' END
             WHEN acted
             THEN (ARRAY['new', 'in_progress', 'waiting_on_customer'])[1 + floor(r3 * 3)::int]
             ELSE 'new' END AS status,
        CASE WHEN acted OR r3 < 0.3 THEN ({PEOPLE})[1 + floor(r4 * 8)::int] END AS assignee,
        CASE WHEN acted
             THEN least(:now, opened + make_interval(secs => -ln(1 - r4 * 0.999) * 36000))
        END AS first_at,
        CASE WHEN closed
             THEN least(:now, opened + make_interval(hours => 1 + floor(r4 * 96)::int))
        END AS resolved
    FROM (
        SELECT id, opened, priority, closed, closed OR r2 < 0.4 AS acted, r3, r4
        FROM (
            SELECT id,
                least(:now, published_at + make_interval(mins => 5 + floor(random() * 600)::int))
                    AS opened,
                round(random()::numeric, 4)::float AS priority, random() AS r1, random() AS r2,
                random() AS r3, random() AS r4, published_at
            FROM mention WHERE needs_attention AND id BETWEEN :first AND :last
        ) m,
        LATERAL (SELECT r1 < CASE WHEN :now - opened > interval '14 days' THEN 1 - :neglect
                                  WHEN :now - opened > interval '2 days' THEN 0.8
                                  ELSE 0.3 END AS closed) c
    ) x
) y
"""

CUSTOMERS = f"""
INSERT INTO customer (external_id, name, email, phone, handles, tier, lifetime_value, orders,
    extra, created_at, updated_at)
SELECT 'C-' || n, ({FIRST})[1 + n % 10] || ' ' || ({LAST})[1 + n % 8],
    'customer' || n || '@example.com', NULL, '{{}}',
    (ARRAY[NULL, 'gold', 'silver'])[1 + n % 3], n % 3000, '[]', '{{}}', :now, :now
FROM generate_series(1, 20000) AS n
"""

LINKS = """
INSERT INTO customer_link (mention_id, customer_id, method, confidence, evidence, status,
    created_at)
SELECT mention_id, 1 + floor(random() * 20000)::int, 'email', 1.0, '',
    CASE WHEN random() < 0.7 THEN 'confirmed' ELSE 'suggested' END, :now
FROM triage_case TABLESAMPLE BERNOULLI (5) REPEATABLE (7)
"""


def _typed(sql: str) -> str:
    """Give the parameters their types (the server cannot guess them inside expressions)."""
    for name, kind in (("now", "timestamptz"), ("first", "bigint"), ("last", "bigint")):
        sql = sql.replace(f":{name}", f"CAST(:{name} AS {kind})")
    return sql.replace(":neglect", "CAST(:neglect AS float)")


def _definitions(conn: Connection) -> tuple[list[str], list[str], list[str]]:
    """(drop statements, index definitions, constraint definitions) of the big tables."""
    tables = ", ".join(f"'{t}'" for t in BIG_TABLES)
    constraints = conn.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            f"FROM pg_constraint WHERE conrelid::regclass::text IN ({tables}) "
            "AND contype IN ('u', 'f')"
        )
    ).all()
    indexes = conn.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            f"WHERE i.indrelid::regclass::text IN ({tables}) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        )
    ).all()
    drops = [f'ALTER TABLE {t} DROP CONSTRAINT "{name}"' for t, name, _ in constraints]
    drops += [f"DROP INDEX {name}" for name, _ in indexes]
    creates = [definition for _, definition in indexes]
    adds = [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {d}' for t, name, d in constraints]
    return drops, creates, adds


def fill(
    engine: Engine,
    rows: int,
    *,
    neglect: float = 0.005,
    seed: float = 0.42,
    say: Callable[[str], None] = print,
) -> dict[str, float]:
    """Fill ``engine``'s (empty, upgraded) database with ``rows`` mentions; seconds per step."""
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(microsecond=0)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with engine.begin() as conn:
        rollups.remove(conn)
        drops, creates, adds = _definitions(conn)
        for statement in drops:
            conn.execute(text(statement))
    with engine.connect() as conn:
        conn.execute(text("SET synchronous_commit = off"))
        conn.execute(text("SELECT setseed(:s)"), {"s": seed})
        for first in range(1, rows + 1, CHUNK):
            last = min(rows, first + CHUNK - 1)
            conn.execute(text(_typed(MENTIONS)), {"first": first, "last": last, "now": now})
            conn.execute(
                text(_typed(CASES)), {"first": first, "last": last, "now": now, "neglect": neglect}
            )
            conn.commit()
            say(f"  {last:,} mentions ({time.perf_counter() - started:.0f} s)")
        conn.execute(text(_typed(CUSTOMERS)), {"now": now})
        conn.execute(text(_typed(LINKS)), {"now": now})
        conn.commit()
    seconds["rows"] = time.perf_counter() - started
    step = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for statement in [*creates, *adds]:
            conn.execute(text(statement))
            conn.commit()
        say(f"  indexes built ({time.perf_counter() - step:.0f} s)")
    seconds["indexes"] = time.perf_counter() - step
    step = time.perf_counter()
    with engine.begin() as conn:
        rollups.rebuild(conn)
        rollups.install(conn)
    seconds["rollups"] = time.perf_counter() - step
    step = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    seconds["vacuum"] = time.perf_counter() - step
    return seconds

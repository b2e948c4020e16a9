"""``grapevine quarantine``: the crawled items that could not be stored, and retrying them.

An item lands in the quarantine when a pipeline stage raised on it or the database refused
it on its own (:mod:`storage.quarantine`). ``retry`` puts the stored copy through the same
steps as a crawl — normalise, match the brand, analyse, upsert — marks the ones it stored as
resolved and opens their cases (the triage step of a run); the others keep their place with
one attempt more and the new reason.
"""

import json
import sys
from typing import Any

import click
from sqlalchemy import Engine

from crawler.analysis_worker import ANALYSIS_INPUT, analysis_columns, analyzer_for
from crawler.matching import BrandMatcher, BrandTerms
from crawler.minimise import minimised
from crawler.normalise import normalise_item
from crawler.pipelines import mention_row
from grapevine.cli.common import config_option, engine, settings
from grapevine.job import JobSummary, triage_step
from grapevine.wiring import brands
from sentiment import Analyzer
from storage import quarantine as store
from storage.mentions import database_trouble, upsert_mentions


@click.group()
def quarantine() -> None:
    """Crawled items that could not be stored, with the reason; retry them once fixed.

    \b
    Example:
      grapevine quarantine list
      grapevine quarantine retry --all
    """


def _when(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


@quarantine.command("list")
@config_option
@click.option("--source", default=None, help="Only this source's items.")
@click.option("--resolved", is_flag=True, help="Include the items a retry already stored.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (items included).")
def list_items(source: str | None, resolved: bool, as_json: bool) -> None:
    """List quarantined items: id, source, external id, stage, attempts and the reason.

    \b
    Example:
      grapevine quarantine list --source trustpilot
      grapevine quarantine list --json | jq '.[].reason'
    """
    cfg = settings()
    rows = store.list_items(engine(cfg), source=source, include_resolved=resolved)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        **{k: v for k, v in row.items() if not k.endswith("_at")},
                        **{
                            k: v.isoformat() if v else None
                            for k, v in row.items()
                            if k.endswith("_at")
                        },
                    }
                    for row in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not rows:
        click.echo("Nothing in quarantine." if source is None else f"Nothing from {source}.")
        return
    for row in rows:
        external = str(row["external_id"] or "-")
        click.echo(
            f"  #{row['id']:<5} {row['source']:<20} {external[:24]:<24} {row['stage']:<9} "
            f"{_when(row['created_at'])}  tries {row['attempts']}"
            + (f"  stored {_when(row['resolved_at'])}" if row["resolved_at"] else "")
            + f"  — {row['reason']}"
        )
    click.echo(
        f"{len(rows)} item{'s' if len(rows) != 1 else ''}; retry: grapevine quarantine retry ID…"
    )


def retry_one(
    item: dict[str, Any], *, engine: Engine, analyzer: Analyzer, matcher: BrandMatcher | None
) -> tuple[bool, int | None, str]:
    """Put one stored item through the pipeline again: (stored, mention id, reason)."""
    item = dict(item)
    normalise_item(item)
    if matcher is not None:
        if item.pop("match_terms", None):
            brand = matcher.match(item.get("title"), item.get("text"), item.get("url"))
            if brand is None:
                return True, None, "no brand or competitor term (dropped, as a crawl would)"
        else:
            brand = matcher.get(item.get("brand") or None)
        if brand is not None:
            item["brand"], item["is_competitor"] = brand.name, brand.is_competitor
    row = mention_row(item)
    text, rating, source_type = row.pop(ANALYSIS_INPUT)
    analysis = analyzer.analyze(text, rating=rating, source=source_type)
    row.update(analysis_columns(analysis, row["is_competitor"]))
    result = upsert_mentions(engine, [row], quarantine_refused=False)
    if result.refused:
        return False, None, result.refused[0][1]
    if result.forgotten:
        return True, None, "not stored: its author asked to be forgotten"
    ids = result.new_ids + result.updated_ids
    return True, ids[0] if ids else None, "stored"


@quarantine.command("retry")
@config_option
@click.argument("ids", nargs=-1, type=int)
@click.option("--source", default=None, help="Every unresolved item of this source.")
@click.option("--all", "everything", is_flag=True, help="Every unresolved item.")
def retry(ids: tuple[int, ...], source: str | None, everything: bool) -> None:
    """Retry quarantined items (by ID, --source NAME or --all): normalise, analyse, store.

    Items stored are marked resolved and their cases open; the others stay with one
    attempt more and the new reason. The exit status is 1 when any is still refused.

    \b
    Example:
      grapevine quarantine retry 12 13
      grapevine quarantine retry --source trustpilot
    """
    if not (ids or source or everything):
        raise click.UsageError("name the items: ID…, --source NAME or --all")
    cfg = settings()
    eng = engine(cfg)
    rows = store.list_items(eng, ids=list(ids) or None, source=source)
    missing = sorted(set(ids) - {row["id"] for row in rows})
    if missing:
        click.echo(
            f"not in quarantine (or already stored): {', '.join(map(str, missing))}", err=True
        )
    analyzer = analyzer_for(
        dict(cfg.analysis.lexicon),
        {k: list(v) for k, v in cfg.analysis.aspects.items()},
        url=cfg.database_url,  # the registry's active models, as the crawl
    )
    configured = [BrandTerms(**b) for b in brands(cfg)]
    matcher = BrandMatcher(configured) if configured else None
    stored = still = 0
    for row in sorted(rows, key=lambda r: r["id"]):
        try:
            item = row["item"] if cfg.retention.keep_raw else minimised(row["item"])
            ok, mention_id, reason = retry_one(item, engine=eng, analyzer=analyzer, matcher=matcher)
        except Exception as exc:
            if database_trouble(exc):
                raise click.ClickException(
                    f"the database is unavailable ({store.reason_for(exc)}); nothing more retried"
                ) from None
            ok, mention_id, reason = False, None, store.reason_for(exc)
        if ok:
            store.resolve(eng, item_id=row["id"], mention_id=mention_id)
            stored += 1
            click.echo(f"  ✓ #{row['id']} {row['source']}: {reason}")
        else:
            store.retry_failed(eng, item_id=row["id"], reason=reason)
            still += 1
            click.echo(f"  ✗ #{row['id']} {row['source']}: {reason}")
    summary = JobSummary()
    if stored:
        triage_step(cfg, eng, summary)
    click.echo(
        f"Retried {len(rows)}: {stored} stored, {still} still quarantined"
        + (f"; cases opened: {summary.cases_opened}" if stored else "")
    )
    if still or missing:
        sys.exit(1)


COMMANDS = [quarantine]

"""What the analysis worker process runs: analyse a batch of mentions and store it.

Kept free of Scrapy imports so the worker starts fast. The crawl's process hands over rows
ready for ``storage.mentions.upsert_mentions`` plus the text to analyse; the worker adds the
analysis columns (the same ones :func:`analysis_columns` gives in process) and upserts.
"""

import json
import logging
from collections import Counter
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sentiment import Analyzer
from sentiment.analyzer import Analysis
from sentiment.learned import LearnedModel
from storage import make_engine, model_registry, quarantine
from storage.mentions import upsert_mentions

#: The key of a row's analysis input: (text, rating, source type).
ANALYSIS_INPUT = "_analysis_input"
_ANALYZERS: dict[str, Analyzer] = {}
log = logging.getLogger(__name__)
_ENGINES: dict[str, Engine] = {}


def analysis_columns(analysis: Analysis, is_competitor: bool) -> dict[str, Any]:
    """The ``mention`` columns an analysis fills."""
    return {
        "sentiment": analysis.sentiment,
        "label": analysis.label,
        "complaint": analysis.complaint,
        "complaint_score": analysis.complaint_score,
        "aspects": list(analysis.aspects),
        "cues": list(analysis.cues),
        "analyser_version": analysis.version,
        "needs_attention": analysis.needs_attention and not is_competitor,
    }


def fill_language(row: dict[str, Any], analysis: Analysis) -> None:
    """The detected language goes to ``row["language"]`` unless the source gave one."""
    if not row.get("language"):
        row["language"] = analysis.language


def analyzer_for(
    lexicon: dict[str, float],
    aspects: dict[str, list[str]],
    unscored_languages: str = "triage",
    url: str | None = None,
) -> Analyzer:
    """An analyser for this configuration (built once per process), with the models active
    in the database at ``url`` (``grapevine model``; none: the language packs' own)."""
    key = repr(
        (
            sorted(lexicon.items()),
            sorted((k, tuple(v)) for k, v in aspects.items()),
            unscored_languages,
            url,
        )
    )
    if key not in _ANALYZERS:
        _ANALYZERS[key] = Analyzer(
            lexicon=lexicon,
            aspects=aspects,
            unscored_languages=unscored_languages,
            models=registry_models(url),
        )
    return _ANALYZERS[key]


def registry_models(url: str | None) -> dict[str, LearnedModel] | None:
    """The active models of the model registry at ``url``, by language (None: none)."""
    if not url:
        return None
    # an engine of its own, disposed: no pooled connection is left for a forked child
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = model_registry.active_artefacts(conn)
    except SQLAlchemyError as exc:  # a database before 0013_models: the packs' models
        log.warning("model registry not readable (%s): the shipped models", type(exc).__name__)
        return None
    finally:
        engine.dispose()
    return {lang: LearnedModel(json.loads(artefact)) for lang, (_, artefact) in found.items()}


def analyse_and_store(
    url: str,
    lexicon: dict[str, float],
    aspects: dict[str, list[str]],
    rows: list[dict[str, Any]],
    crawl_run_id: int | None = None,
    unscored_languages: str = "triage",
) -> tuple[int, int, int, int, dict[str, int], int]:
    """Analyse the rows that carry an analysis input, upsert all; (new, updated, unchanged,
    quarantined, {reason: count} of the quarantined, forgotten — skipped for a tombstone).

    A row the analyser raises on is quarantined (stage ``analyse``) and the others go on;
    rows the database refuses are quarantined by the upsert (stage ``store``). Database
    trouble is raised: the caller counts the whole batch as failed.
    """
    analyzer = analyzer_for(lexicon, aspects, unscored_languages, url)
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    engine = _ENGINES[url]
    good, bad, reasons = [], [], []
    for row in rows:
        job = row.pop(ANALYSIS_INPUT, None)
        if job is not None:
            text, rating, source = job
            try:
                analysis = analyzer.analyze(text, rating=rating, source=source)
            except Exception as exc:
                bad.append(row)
                reasons.append(quarantine.reason_for(exc))
                continue
            row.update(analysis_columns(analysis, bool(row.get("is_competitor"))))
            fill_language(row, analysis)
        good.append(row)
    quarantined = 0
    if bad:
        quarantined = quarantine.add(
            engine, items=bad, reasons=reasons, stage="analyse", crawl_run_id=crawl_run_id
        )
    result = upsert_mentions(engine, good, crawl_run_id=crawl_run_id)
    why = Counter(reasons) + Counter(reason for _, reason in result.refused)
    return (
        result.new,
        result.updated,
        result.unchanged,
        result.quarantined + quarantined,
        dict(why),
        result.forgotten,
    )

"""What the analysis worker process runs: analyse a batch of mentions and store it.

Kept free of Scrapy imports so the worker starts fast. The crawl's process hands over rows
ready for ``storage.mentions.upsert_mentions`` plus the text to analyse; the worker adds the
analysis columns (the same ones :func:`analysis_columns` gives in process) and upserts.
"""

from typing import Any

from sqlalchemy import Engine

from sentiment import Analyzer
from sentiment.analyzer import Analysis
from storage import make_engine
from storage.mentions import upsert_mentions

#: The key of a row's analysis input: (text, rating, source type).
ANALYSIS_INPUT = "_analysis_input"
_ANALYZERS: dict[str, Analyzer] = {}
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


def analyzer_for(lexicon: dict[str, float], aspects: dict[str, list[str]]) -> Analyzer:
    """An analyser for this configuration (built once per process)."""
    key = repr((sorted(lexicon.items()), sorted((k, tuple(v)) for k, v in aspects.items())))
    if key not in _ANALYZERS:
        _ANALYZERS[key] = Analyzer(lexicon=lexicon, aspects=aspects)
    return _ANALYZERS[key]


def analyse_and_store(
    url: str,
    lexicon: dict[str, float],
    aspects: dict[str, list[str]],
    rows: list[dict[str, Any]],
) -> tuple[int, int, int]:
    """Analyse the rows that carry an analysis input, upsert all; (new, updated, unchanged)."""
    analyzer = analyzer_for(lexicon, aspects)
    for row in rows:
        job = row.pop(ANALYSIS_INPUT, None)
        if job is not None:
            text, rating, source = job
            analysis = analyzer.analyze(text, rating=rating, source=source)
            row.update(analysis_columns(analysis, bool(row.get("is_competitor"))))
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    result = upsert_mentions(_ENGINES[url], rows)
    return result.new, result.updated, result.unchanged

"""What the analysis worker process runs (kept free of Scrapy imports, so it starts fast)."""

from sentiment import Analyzer
from sentiment.analyzer import Analysis

#: (text, rating, source type)
Job = tuple[str, float | None, str | None]
_WORKER_ANALYZERS: dict[str, Analyzer] = {}


def _config_key(lexicon: dict[str, float], aspects: dict[str, list[str]]) -> str:
    return repr((sorted(lexicon.items()), sorted((k, tuple(v)) for k, v in aspects.items())))


def analyze_batch(
    lexicon: dict[str, float], aspects: dict[str, list[str]], jobs: list[Job]
) -> list[Analysis]:
    """Analyse ``jobs`` (text, rating, source type) in the worker (analysers are reused)."""
    key = _config_key(lexicon, aspects)
    analyzer = _WORKER_ANALYZERS.get(key)
    if analyzer is None:
        analyzer = _WORKER_ANALYZERS[key] = Analyzer(lexicon=lexicon, aspects=aspects)
    return [analyzer.analyze(text, rating=rating, source=source) for text, rating, source in jobs]

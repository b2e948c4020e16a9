"""``grapevine score``: analyse text from stdin (JSONL or CSV) and write the results to stdout.

The command lives here, outside :mod:`grapevine.cli`, so that the console script can run it
without importing the other commands (:mod:`grapevine.entry`); ``grapevine.cli.score``
registers it with the others.

Large inputs are scored on every core: lines are read in chunks, a pool of worker processes
(forked with the analyser already built) scores them, and the results are written in input
order, with a bounded number of chunks in flight so memory stays flat however long the input.
A short input is scored in this process (no pool to start).
"""

import csv
import io
import itertools
import json
import multiprocessing
import os
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import click

from sentiment import Analyzer
from sentiment.language import warm as warm_language_detector

#: Lines per chunk sent to a worker, and the input size below which no pool is started.
CHUNK = 500
SMALL = 2000
RESULT_COLUMNS = (
    "sentiment",
    "label",
    "complaint",
    "complaint_score",
    "aspects",
    "cues",
    "language",
    "scored",
)

_analyzer: Analyzer | None = None  # the analyser of this process (set before forking)


def _rating(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        rating = float(value)
    except (TypeError, ValueError):
        return None
    return rating if 0 <= rating <= 5 else None


def _score_jsonl(lines: Sequence[tuple[int, bytes]]) -> list[tuple[int, str | None, str]]:
    """Worker: ``(line number, JSON out or None, error)`` for each input line."""
    assert _analyzer is not None
    out: list[tuple[int, str | None, str]] = []
    for number, raw in lines:
        try:
            record = json.loads(raw)
        except UnicodeDecodeError:
            out.append((number, None, "not UTF-8 text"))
            continue
        except json.JSONDecodeError as exc:
            out.append((number, None, f"not JSON ({exc.msg})"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            out.append((number, None, 'expected an object with a "text" string'))
            continue
        result = _analyzer.analyze(record["text"], rating=_rating(record.get("rating")))
        out.append((number, json.dumps({"id": record.get("id"), **result.as_dict()}), ""))
    return out


def _score_texts(items: Sequence[tuple[str, str | None]]) -> list[tuple[Any, ...]]:
    """Worker: the result columns for each ``(text, rating)``."""
    assert _analyzer is not None
    out = []
    for text, rating in items:
        r = _analyzer.analyze(text, rating=_rating(rating))
        out.append(
            (
                "" if r.sentiment is None else round(r.sentiment, 4),
                r.label or "",
                r.complaint,
                round(r.complaint_score, 4),
                ";".join(r.aspects),
                " | ".join(r.cues),
                r.language or "",
                r.scored,
            )
        )
    return out


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run(
    work: Callable[[Any], list[Any]],
    chunks: Iterator[tuple[Any, Any]],
    emit: Callable[[Any, list[Any]], None],
    workers: int,
) -> None:
    """Apply ``work`` to each chunk's payload, in order, on ``workers`` processes.

    ``chunks`` yields ``(context, payload)``; ``emit(context, results)`` writes them.
    """
    head = []
    for item in chunks:
        head.append(item)
        if sum(len(payload) for _, payload in head) >= SMALL:
            break
    small = sum(len(payload) for _, payload in head) < SMALL
    if workers <= 1 or small:
        for context, payload in itertools.chain(head, chunks):
            emit(context, work(payload))
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    window = workers * 3
    warm_language_detector()  # loaded once here, not again in each forked worker
    with ctx.Pool(workers, initializer=_init_worker, initargs=(_settings,)) as pool:
        pending: deque[tuple[Any, Any]] = deque()
        for context, payload in itertools.chain(head, chunks):
            pending.append((context, pool.apply_async(work, (payload,))))
            if len(pending) >= window:
                done_context, result = pending.popleft()
                emit(done_context, result.get())
        while pending:
            done_context, result = pending.popleft()
            emit(done_context, result.get())


_settings: dict[str, Any] = {}


def _init_worker(settings: dict[str, Any]) -> None:
    global _analyzer
    if _analyzer is None:  # spawned, not forked: build it here
        _analyzer = _build(settings)


def _build(settings: dict[str, Any]) -> Analyzer:
    """The analyser for the config's lexicon, aspects and unscored-language policy."""
    return Analyzer(
        lexicon=settings.get("lexicon"),
        aspects=settings.get("aspects"),
        unscored_languages=settings.get("unscored_languages", "triage"),
    )


class _Progress:
    """A progress bar on stderr when it is a terminal: bytes of a JSONL file read from a
    redirect (with an ETA), else lines."""

    def __init__(self, stream: BinaryIO, *, by_bytes: bool) -> None:
        self.bar: Any = None
        self.by_bytes = False
        if not sys.stderr.isatty():
            return
        from tqdm import tqdm

        total = None
        try:
            info = os.fstat(stream.fileno())
            if by_bytes and stat.S_ISREG(info.st_mode):
                total = info.st_size - stream.tell()
        except (OSError, ValueError, io.UnsupportedOperation):
            total = None
        if total:
            self.bar = tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, desc="scoring")
            self.by_bytes = True
        else:
            self.bar = tqdm(unit=" lines", file=sys.stderr, desc="scoring")
            self.by_bytes = False

    def advance(self, lines: int, size: int) -> None:
        if self.bar is not None:
            self.bar.update(size if self.by_bytes else lines)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _config_analysis(config_path: str | None) -> dict[str, Any]:
    """The company lexicon and aspects from the config, when there is one."""
    path = config_path or os.environ.get("GRAPEVINE_CONFIG")
    if not path and Path("grapevine.toml").is_file():
        path = "grapevine.toml"
    if not path:
        return {}
    from grapevine.config import ConfigError, load_config

    try:
        analysis = load_config(path).analysis
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    return {
        "lexicon": dict(analysis.lexicon),
        "aspects": dict(analysis.aspects),
        "unscored_languages": analysis.unscored_languages,
    }


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Input and output format.",
)
@click.option("--text-column", default="text", show_default=True, help="CSV: the text column.")
@click.option("--rating-column", default=None, help="CSV: a star-rating column (1–5).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for large inputs [default: every core].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config with the company lexicon and aspects "
    "[default: $GRAPEVINE_CONFIG, else ./grapevine.toml when present].",
)
def score(
    fmt: str,
    text_column: str,
    rating_column: str | None,
    workers: int | None,
    config_path: str | None,
) -> None:
    """Score text from stdin: sentiment, label, complaint and aspects per line or row.

    JSONL in: {"id": ..., "text": ..., "rating": optional 1-5}; out, one line per input
    line: the id with language, scored, sentiment (-1..1), label, complaint,
    complaint_score, aspects, cues and the analyser version; a text in a language the
    analyser cannot score (only English so far) has scored false and sentiment and label
    null. CSV keeps every input column and adds sentiment, label, complaint,
    complaint_score, aspects, cues, language and scored. A bad line is reported on stderr and
    skipped. Large inputs use every core; the output keeps the input order. A progress bar
    shows on a terminal.

    \b
    Example:
      echo '{"id": 1, "text": "Still waiting for my refund"}' | grapevine score
      grapevine score --format csv --text-column review < reviews.csv > scored.csv
    """
    global _analyzer, _settings
    root = click.get_current_context().find_root().obj or {}
    _settings = _config_analysis(config_path or root.get("config_path"))
    _analyzer = _build(_settings)
    workers = workers or os.cpu_count() or 1
    stdin = sys.stdin.buffer
    if fmt == "jsonl":
        skipped, written = _jsonl(stdin, workers)
    else:
        skipped, written = _csv(stdin, text_column, rating_column, workers)
    if skipped:
        click.echo(f"{written} scored, {skipped} skipped", err=True)
        if not written:
            sys.exit(1)


def _jsonl(stdin: BinaryIO, workers: int) -> tuple[int, int]:
    out = sys.stdout
    progress = _Progress(stdin, by_bytes=True)
    counts = [0, 0]  # skipped, written

    def chunks() -> Iterator[tuple[int, list[tuple[int, bytes]]]]:
        lines = ((n, raw) for n, raw in enumerate(stdin, start=1) if raw.strip())
        for chunk in _chunks(lines):
            yield sum(len(raw) for _, raw in chunk), chunk

    def emit(size: int, results: list[tuple[int, str | None, str]]) -> None:
        parts: list[str] = []
        for number, line, error in results:
            if line is None:
                counts[0] += 1
                out.write("".join(parts))
                parts = []
                out.flush()
                click.echo(f"line {number}: {error}; skipped", err=True)
            else:
                parts.append(line + "\n")
        counts[1] += sum(1 for r in results if r[1] is not None)
        out.write("".join(parts))
        progress.advance(len(results), size)

    try:
        _run(_score_jsonl, chunks(), emit, workers)
    finally:
        progress.close()
        out.flush()
    return counts[0], counts[1]


def _csv(
    stdin: BinaryIO,
    text_column: str,
    rating_column: str | None,
    workers: int,
) -> tuple[int, int]:
    text = io.TextIOWrapper(stdin, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.DictReader(text)
    fields = reader.fieldnames
    if fields is None:
        raise click.UsageError("stdin is empty: expected a CSV header row")
    if text_column not in fields:
        raise click.BadParameter(
            f"no column {text_column!r} in the CSV header ({', '.join(fields or [])})",
            param_hint="--text-column",
        )
    if rating_column and rating_column not in fields:
        raise click.BadParameter(
            f"no column {rating_column!r} in the CSV header ({', '.join(fields)})",
            param_hint="--rating-column",
        )
    added = [c for c in RESULT_COLUMNS if c not in fields]
    writer = csv.DictWriter(sys.stdout, fieldnames=[*fields, *added], extrasaction="ignore")
    writer.writeheader()
    counts = [0, 0]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for row in reader:
            number = reader.line_num
            if None in row:
                counts[0] += 1
                click.echo(
                    f"row {number}: more values than the header has columns; skipped", err=True
                )
                continue
            yield number, row

    def chunks() -> Iterator[tuple[list[dict[str, Any]], list[tuple[str, str | None]]]]:
        for chunk in _chunks(rows()):
            payload = [
                (row.get(text_column) or "", row.get(rating_column) if rating_column else None)
                for _, row in chunk
            ]
            yield [row for _, row in chunk], payload

    def emit(chunk: list[dict[str, Any]], results: list[tuple[Any, ...]]) -> None:
        for row, result in zip(chunk, results, strict=True):
            row.update(zip(RESULT_COLUMNS, result, strict=True))
            writer.writerow(row)
        counts[1] += len(results)
        progress.advance(len(results), 0)

    progress = _Progress(stdin, by_bytes=False)
    try:
        _run(_score_texts, chunks(), emit, workers)
    finally:
        progress.close()
        sys.stdout.flush()
    return counts[0], counts[1]

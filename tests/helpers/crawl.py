"""Run real Scrapy crawls from tests, each in a fresh child process (one reactor per process)."""

import multiprocessing
from typing import Any


def _child(
    queue: Any,
    sources: list[dict[str, Any]],
    settings: dict[str, Any],
    incremental: bool,
    scrapy_logging: bool = False,
) -> None:
    try:
        from crawler.runner import run_sources

        results = run_sources(
            sources,
            settings,
            incremental=incremental,
            collect_items=True,
            install_root_handler=scrapy_logging,
        )
        queue.put(("ok", [{**r.as_dict(), "items": [_plain(i) for i in r.items]} for r in results]))
    except BaseException as exc:  # report anything to the parent
        import traceback

        queue.put(("error", f"{exc!r}\n{traceback.format_exc()}"))


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in item.items():
        if key == "analysis":
            out[key] = value.as_dict() | {"needs_attention": value.needs_attention}
        else:
            out[key] = value
    return out


def crawl(
    sources: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    *,
    incremental: bool = True,
    timeout: float = 120,
    scrapy_logging: bool = False,
) -> list[dict[str, Any]]:
    """Crawl ``sources`` with the project settings plus ``settings``; one result dict each.

    Politeness delays are switched off unless a test sets them. ``scrapy_logging`` lets Scrapy
    log to the child's stderr at ``LOG_LEVEL`` (for tests that read the log).
    """
    defaults = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "RETRY_TIMES": 1,
        "DOWNLOAD_TIMEOUT": 10,
        "GRAPEVINE_RETRY_BACKOFF": 0.05,
    }
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(
        target=_child,
        args=(queue, sources, {**defaults, **(settings or {})}, incremental, scrapy_logging),
    )
    proc.start()
    try:
        kind, payload = queue.get(timeout=timeout)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
    if kind != "ok":
        raise AssertionError(f"crawl failed in the child process: {payload}")
    return payload

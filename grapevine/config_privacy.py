"""The ``[retention]`` section: how long Grapevine keeps what it collected.

Every window is in days; ``None`` (the key left out) keeps that data for ever. Raw payloads
are the biggest and least needed part, so they have the shortest window by default.
"""

from pydantic import Field

from grapevine.config_base import Strict


class RetentionConfig(Strict):
    """``[retention]``: windows in days (left out: keep), applied by the daily job."""

    #: Mentions published longer ago lose their text, title and raw payload (scores,
    #: rating, counts and the case stay).
    mention_text_days: int | None = Field(default=None, ge=1)
    #: Resolved or dismissed cases closed longer ago are deleted (the mention's counts stay).
    closed_case_days: int | None = Field(default=None, ge=1)
    #: Crawl runs (with their stats and error summaries) started longer ago are deleted.
    crawl_run_days: int | None = Field(default=180, ge=1)
    #: Mentions fetched longer ago lose their raw payload.
    raw_payload_days: int | None = Field(default=30, ge=1)
    #: Audit rows older than this are deleted by the retention run (default: kept for ever).
    audit_days: int | None = Field(default=None, ge=1)
    #: Keep the whole raw payload a source served (default: only the ids the product uses).
    keep_raw: bool = False

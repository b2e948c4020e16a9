"""Config of the crawl: politeness and limits, and one model per source type."""

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from grapevine.config_base import NAME_RE, Strict


class CrawlConfig(Strict):
    """Politeness and limits shared by every source."""

    user_agent: str = "GrapevineBot/0.1 (+https://github.com/grapevine-monitor/grapevine)"
    obey_robots: bool = True
    autothrottle: bool = True
    concurrency_per_domain: int = Field(default=2, ge=1, le=32)
    download_delay: float = Field(default=0.5, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)
    max_pages: int = Field(default=50, ge=1, description="pages per source per run, at most")
    max_items: int = Field(
        default=5000, ge=0, description="items per source per run, at most (0: no cap)"
    )
    overlap_days: float = Field(
        default=3.0, ge=0, le=90, description="days behind the mark each run reads again"
    )
    max_page_mb: float = Field(
        default=32.0, gt=0, le=1024, description="largest page, once decompressed, in MB"
    )
    http_cache: bool = False
    max_retry_wait: float = Field(
        default=120.0, ge=0, description="longest Retry-After honoured, in seconds"
    )
    progress_interval: float = Field(
        default=30.0, ge=0, description="seconds between progress lines (0: none)"
    )
    redis_url: str | None = Field(
        default=None, description="share the request queue and dupefilter (scrapy-redis)"
    )


class SourceBase(Strict):
    """Options every source accepts."""

    name: str = Field(pattern=NAME_RE, max_length=100)
    brand: str | None = None
    base_url: str | None = None
    match_terms: bool | None = None
    enabled: bool = True
    max_pages: int | None = Field(default=None, ge=1)
    max_items: int | None = Field(default=None, ge=0)
    overlap_days: float | None = Field(default=None, ge=0, le=90)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(https?|file)://", value):
            raise ValueError("an http(s):// URL")
        return value.rstrip("/") if value else value


class TrustpilotSource(SourceBase):
    """Trustpilot company reviews: ``/review/<domain>?page=N``."""

    type: Literal["trustpilot"]
    domain: str = Field(min_length=3)
    languages: str = "all"


class AppStoreSource(SourceBase):
    """Apple App Store customer reviews (iTunes RSS, JSON or XML)."""

    type: Literal["appstore"]
    app_id: str = Field(pattern=r"^\d+$")
    countries: list[str] = Field(default_factory=lambda: ["us"], min_length=1)
    format: Literal["json", "xml"] = "xml"


class RedditSource(SourceBase):
    """Reddit search results and subreddits' new posts."""

    type: Literal["reddit"]
    query: str | None = None
    subreddits: list[str] = Field(default_factory=list)
    comments: bool = False
    more_comments: int = Field(
        default=1, ge=0, le=20, description="requests per thread expanding 'more' stubs"
    )

    @model_validator(mode="after")
    def _something(self) -> "RedditSource":
        if not self.query and not self.subreddits:
            raise ValueError("query: a query or a list of subreddits")
        return self


class HackerNewsSource(SourceBase):
    """Hacker News stories and comments through Algolia's search API."""

    type: Literal["hackernews"]
    query: str = Field(min_length=1)
    tags: str = "(story,comment)"
    comments: bool = False


class MastodonSource(SourceBase):
    """A Mastodon instance's hashtag timelines (and search where it allows)."""

    type: Literal["mastodon"]
    hashtags: list[str] = Field(default_factory=list)
    query: str | None = None
    token_env: str | None = None

    @model_validator(mode="after")
    def _something(self) -> "MastodonSource":
        if not self.base_url:
            raise ValueError("base_url: the instance's address, like https://mastodon.social")
        if not self.hashtags and not self.query:
            raise ValueError("hashtags: a list of hashtags or a query")
        return self


class BlueskySource(SourceBase):
    """Bluesky post search; credentials from the environment where required."""

    type: Literal["bluesky"]
    query: str = Field(min_length=1)
    handle_env: str | None = None
    password_env: str | None = None


class FeedSource(SourceBase):
    """RSS or Atom feeds: Google Alerts, news, blogs, forums."""

    type: Literal["feed"]
    urls: list[str] = Field(min_length=1)


class SchemaOrgSource(SourceBase):
    """Any pages with schema.org Review/AggregateRating markup (JSON-LD, microdata, RDFa)."""

    type: Literal["schemaorg"]
    urls: list[str] = Field(min_length=1)
    next_selector: str | None = None


Source = Annotated[
    TrustpilotSource
    | AppStoreSource
    | RedditSource
    | HackerNewsSource
    | MastodonSource
    | BlueskySource
    | FeedSource
    | SchemaOrgSource,
    Field(discriminator="type"),
]
SOURCE_TYPES = (
    "trustpilot",
    "appstore",
    "reddit",
    "hackernews",
    "mastodon",
    "bluesky",
    "feed",
    "schemaorg",
)

"""Config of the crawl: politeness and limits, and one model per source type."""

import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from grapevine.config_base import NAME_RE, Strict

ENV_RE = r"^[A-Za-z_][A-Za-z0-9_]*$"


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
        default=None,
        description="cluster: per-domain politeness and shared queues (default: a Redis broker)",
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
    #: cluster: the source's request queue and duplicate filter in Redis (scrapy-redis),
    #: crawled by ``workers`` tasks at once, each page fetched once
    shared_queue: bool = False
    workers: int = Field(default=1, ge=1, le=64)

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
    #: the brand's own account (``@larkwood`` or ``larkwood@mastodon.social``): its reply in
    #: a thread marks the case answered; replies are posted as the account of ``token_env``
    account: str | None = None

    @model_validator(mode="after")
    def _something(self) -> "MastodonSource":
        if not self.base_url:
            raise ValueError("base_url: the instance's address, like https://mastodon.social")
        if not self.hashtags and not self.query:
            raise ValueError("hashtags: a list of hashtags or a query")
        return self


class MastodonNotificationsSource(SourceBase):
    """The mentions of the brand's own Mastodon account (``/api/v1/notifications``)."""

    type: Literal["mastodon_notifications"]
    token_env: str = Field(min_length=1, description="a token with read:notifications")
    account: str | None = None

    @model_validator(mode="after")
    def _server(self) -> "MastodonNotificationsSource":
        if not self.base_url:
            raise ValueError("base_url: the account's server, like https://mastodon.social")
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


class _OwnerApiSource(SourceBase):
    """A review platform's owner API: the company's own listings, every review, and replies."""

    @field_validator("*")
    @classmethod
    def _env_names(cls, value: object, info: ValidationInfo) -> object:
        name = info.field_name or ""
        if name.endswith("_env") and value is not None and not re.match(ENV_RE, str(value)):
            raise ValueError("the name of an environment variable, like APPSTORE_KEY_ID")
        return value


class AppStoreConnectSource(_OwnerApiSource):
    """App Store Connect API: every review of the company's app; replies (JWT from a .p8 key)."""

    type: Literal["appstore_connect"]
    app_id: str = Field(pattern=r"^\d+$")
    key_id_env: str
    issuer_id_env: str
    private_key_env: str


class GooglePlaySource(_OwnerApiSource):
    """Google Play Developer API: the app's reviews and replies (a service-account key)."""

    type: Literal["googleplay"]
    package_name: str = Field(pattern=r"^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$")
    service_account_env: str


class GoogleBusinessSource(_OwnerApiSource):
    """Google Business Profile API: the locations' Google reviews and replies."""

    type: Literal["googlebusiness"]
    account_id: str = Field(pattern=r"^\d+$")
    location_ids: list[str] = Field(min_length=1)
    service_account_env: str


class TrustpilotBusinessSource(_OwnerApiSource):
    """Trustpilot business API (with an API key): the business unit's reviews and replies."""

    type: Literal["trustpilot_business"]
    business_unit_id: str = Field(min_length=1)
    business_user_id: str | None = Field(
        default=None, description="the Trustpilot business user replies are posted as"
    )
    api_key_env: str
    api_secret_env: str


Source = Annotated[
    TrustpilotSource
    | AppStoreSource
    | RedditSource
    | HackerNewsSource
    | MastodonSource
    | MastodonNotificationsSource
    | BlueskySource
    | FeedSource
    | SchemaOrgSource
    | AppStoreConnectSource
    | GooglePlaySource
    | GoogleBusinessSource
    | TrustpilotBusinessSource,
    Field(discriminator="type"),
]
SOURCE_TYPES = (
    "trustpilot",
    "appstore",
    "reddit",
    "hackernews",
    "mastodon",
    "mastodon_notifications",
    "bluesky",
    "feed",
    "schemaorg",
    "appstore_connect",
    "googleplay",
    "googlebusiness",
    "trustpilot_business",
)

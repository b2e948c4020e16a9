"""From the typed settings to what the packages below take (plain values, no config reading)."""

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from grapevine.config import Settings
from storage import check_current, make_engine
from triage.policy import TriagePolicy

if TYPE_CHECKING:
    from dashboard.settings import DashboardSettings

log = logging.getLogger(__name__)


def open_engine(settings: Settings, *, check: bool = True) -> Engine:
    """The engine for the configured database; raises ``SchemaError`` when it is behind."""
    engine = make_engine(settings.database_url)
    if check:
        check_current(engine)
    return engine


def brands(settings: Settings) -> list[dict[str, Any]]:
    """The brand and competitors as ``GRAPEVINE_BRANDS`` for the crawler."""
    own = settings.brand
    return [
        {
            "name": own.name,
            "terms": own.terms,
            "exclusions": own.exclusions,
            "is_competitor": False,
        },
        *(
            {"name": c.name, "terms": c.terms, "exclusions": c.exclusions, "is_competitor": True}
            for c in settings.competitors
        ),
    ]


def scrapy_settings(settings: Settings, *, log_level: str = "WARNING") -> dict[str, Any]:
    """Scrapy settings for a crawl configured by ``settings``."""
    crawl = settings.crawl
    if crawl.redis_url:
        log.warning(
            "[crawl] redis_url is not used yet: sources crawl in this process "
            "(split them across processes with `grapevine crawl --source NAME`; see README)"
        )
    values: dict[str, Any] = {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "RETRY_TIMES": crawl.retries,
        "GRAPEVINE_MAX_RETRY_WAIT": crawl.max_retry_wait,
        "HTTPCACHE_ENABLED": crawl.http_cache,
        "HTTPCACHE_DIR": str(settings.resolve_path(".httpcache")),
        "LOG_LEVEL": log_level,
        "GRAPEVINE_DATABASE_URL": settings.database_url,
        "GRAPEVINE_BRANDS": brands(settings),
        "GRAPEVINE_LEXICON": dict(settings.analysis.lexicon),
        "GRAPEVINE_ASPECTS": {k: list(v) for k, v in settings.analysis.aspects.items()},
    }
    return values


def source_specs(settings: Settings, names: list[str] | None = None) -> list[dict[str, Any]]:
    """The enabled sources (or the named ones) as plain dicts for the crawler runner.

    Raises ``KeyError`` naming an unknown source.
    """
    if names:
        chosen = [settings.source(name) for name in names]
    else:
        chosen = [s for s in settings.sources if s.enabled]
    specs = []
    for source in chosen:
        spec = source.model_dump(exclude={"enabled"})
        for key in [k for k in spec if k.endswith("_env")]:  # secrets: names -> values
            spec[key.removesuffix("_env")] = settings.secret(spec.pop(key))
        if spec.get("max_pages") is None:
            spec["max_pages"] = settings.crawl.max_pages
        spec["brand"] = spec.get("brand") or settings.brand.name
        specs.append(spec)
    return specs


def triage_policy(settings: Settings) -> TriagePolicy:
    """The triage policy from ``[triage]``."""
    t = settings.triage
    return TriagePolicy(
        sla_hours=t.sla_hours,
        urgent_sla_hours=t.urgent_sla_hours,
        urgent_priority=t.urgent_priority,
        follow_up_days=tuple(t.follow_up_days),
        competitor_cases=t.competitor_cases,
    )


def dashboard_settings(settings: Settings) -> "DashboardSettings":
    """What the dashboard process needs from the config."""
    from dashboard.settings import DashboardSettings, DashboardUser

    templates = settings.triage.templates_dir
    return DashboardSettings(
        database_url=settings.database_url,
        brand=settings.brand.name,
        competitors=[c.name for c in settings.competitors],
        sources=[s.name for s in settings.sources],
        templates_dir=str(settings.resolve_path(templates)) if templates else None,
        users=[
            DashboardUser(name=u.name, role=u.role, password_hash=u.password_hash)
            for u in settings.users
        ],
        sla_hours=settings.triage.sla_hours,
        urgent_sla_hours=settings.triage.urgent_sla_hours,
        urgent_priority=settings.triage.urgent_priority,
        follow_up_days=list(settings.triage.follow_up_days),
        targets=[t.name for t in settings.targets],
        public_url=settings.dashboard.public_url,
    )

"""From the typed settings to what the packages below take (plain values, no config reading)."""

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from grapevine.config import Settings
from storage import check_current, make_engine
from triage.connectors.owner_auth import OWNER_API_TYPES, token_provider
from triage.policy import TriagePolicy

if TYPE_CHECKING:
    from dashboard.settings import DashboardSettings
    from triage.alerts import AlertPolicy, Channel
    from triage.export.payload import CaseLink
    from triage.export.targets import RetryPolicy, Rules, Target

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
    values: dict[str, Any] = {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": int(crawl.max_page_mb * 1024 * 1024),
        "DOWNLOAD_WARNSIZE": int(crawl.max_page_mb * 1024 * 1024) // 4,
        "RETRY_TIMES": crawl.retries,
        "GRAPEVINE_MAX_RETRY_WAIT": crawl.max_retry_wait,
        "HTTPCACHE_ENABLED": crawl.http_cache,
        "HTTPCACHE_DIR": str(settings.resolve_path(".httpcache")),
        "LOG_LEVEL": log_level,
        "GRAPEVINE_DATABASE_URL": settings.database_url,
        "GRAPEVINE_BRANDS": brands(settings),
        "GRAPEVINE_LEXICON": dict(settings.analysis.lexicon),
        "GRAPEVINE_ASPECTS": {k: list(v) for k, v in settings.analysis.aspects.items()},
        "GRAPEVINE_UNSCORED_LANGUAGES": settings.analysis.unscored_languages,
        "GRAPEVINE_KEEP_RAW": settings.retention.keep_raw,
        # cluster: per-domain politeness across workers (crawler.cluster_politeness)
        "GRAPEVINE_REDIS_URL": settings.redis_url,
        "GRAPEVINE_REDIS_PREFIX": settings.cluster.key_prefix,
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
        spec = source.model_dump(exclude={"enabled", "shared_queue", "workers"})
        if source.type in OWNER_API_TYPES:  # signed in triage; the spider gets a callable
            spec = owner_api_spec(settings, source, spec)
        for key in [k for k in spec if k.endswith("_env")]:  # secrets: names -> values
            spec[key.removesuffix("_env")] = settings.secret(spec.pop(key))
        for key in ("max_pages", "max_items", "overlap_days"):  # [crawl] defaults
            if spec.get(key) is None:
                spec[key] = getattr(settings.crawl, key)
        spec["brand"] = spec.get("brand") or settings.brand.name
        specs.append(spec)
    return specs


def owner_api_spec(settings: Settings, source: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """An owner-API source for the crawler: no secrets, a ``token_provider`` made of them
    (see :mod:`triage.connectors.owner_auth` for why the spider signs nothing)."""
    spec = {k: v for k, v in spec.items() if not k.endswith("_env")}
    spec["token_provider"] = token_provider(
        source.model_dump(), settings.env, timeout=settings.crawl.timeout
    )
    return spec


def triage_policy(settings: Settings) -> TriagePolicy:
    """The triage policy from ``[triage]``."""
    t = settings.triage
    return TriagePolicy(
        sla_hours=t.sla_hours,
        urgent_sla_hours=t.urgent_sla_hours,
        urgent_priority=t.urgent_priority,
        follow_up_days=tuple(t.follow_up_days),
        competitor_cases=t.competitor_cases,
        max_new_cases_per_source=t.max_new_cases_per_source,
    )


def dashboard_settings(settings: Settings) -> "DashboardSettings":
    """What the dashboard process needs from the config."""
    from dashboard.settings import DashboardSettings, DashboardUser, OidcSettings
    from sentiment.aspects import DEFAULT_ASPECTS

    templates = settings.triage.templates_dir
    oidc = settings.dashboard.oidc
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
        aspects=sorted({*DEFAULT_ASPECTS, *settings.analysis.aspects}),
        order_number_pattern=settings.analysis.order_number_pattern,
        spike_factor=settings.alerts.spike_factor,
        spike_min_count=settings.alerts.spike_min_count,
        spike_baseline_days=settings.alerts.spike_baseline_days,
        host=settings.dashboard.host,
        port=settings.dashboard.port,
        oidc=OidcSettings(
            provider=oidc.provider,
            roles={email.lower(): role for email, role in oidc.roles.items()},
            default_role=oidc.default_role,
        )
        if oidc
        else None,
        config_path=str(settings.path.resolve()),
        # the reply connectors' settings: env variable names only, never a secret
        reply_sources={s.name: s.model_dump(mode="json") for s in settings.sources},
        file_exports=[
            (t.name, str(settings.resolve_path(t.path)), t.format)
            for t in settings.targets
            if t.type == "file"
        ],
    )


# --- support queue and alerts (plain values for triage.export.run / triage.alerts) -------------


def dashboard_url(settings: Settings) -> str:
    """Where people open the dashboard: ``[dashboard] public_url``, else its host and port."""
    dash = settings.dashboard
    return (dash.public_url or f"http://{dash.host}:{dash.port}").rstrip("/")


def case_link(settings: Settings) -> "CaseLink":
    """The dashboard link of a case: the dashboard's URL + ``/?case=ID``."""
    base = dashboard_url(settings)
    return lambda case_id: f"{base}/?case={case_id}"


def _rules(rules: Any) -> "Rules":
    from triage.export.targets import EVERY_CASE, Rules

    if rules is None:
        return EVERY_CASE
    return Rules(
        complaint=rules.complaint,
        max_rating=rules.max_rating,
        min_priority=rules.min_priority,
        brand=rules.brand,
        sources=tuple(rules.sources),
        aspects=tuple(rules.aspects),
        any_of=rules.any_of,
    )


def _missing(settings: Settings, **names: str | None) -> str | None:
    """A problem line when an environment variable a target names is not set."""
    for key, env_name in names.items():
        if env_name and settings.secret(env_name) is None:
            return f"environment variable {env_name} ({key}) is not set"
    return None


def export_targets(settings: Settings) -> list["Target"]:
    """The enabled ``[[targets]]`` with their secrets resolved from the environment."""
    from triage.export.targets import EmailTarget, FileTarget, WebhookTarget

    targets: list[Target] = []
    for t in settings.targets:
        if not t.enabled:
            continue
        rules = _rules(t.rules)
        if t.type == "webhook":
            problem = _missing(settings, secret_env=t.secret_env) or _missing(
                settings, **{f"headers_env.{h}": env for h, env in t.headers_env.items()}
            )
            headers = dict(t.headers)
            headers.update({h: settings.secret(env) or "" for h, env in t.headers_env.items()})
            targets.append(
                WebhookTarget(
                    t.name, t.url, secret=settings.secret(t.secret_env), headers=headers,
                    timeout=t.timeout, rules=rules, problem=problem,
                )
            )  # fmt: skip
        elif t.type == "email":
            targets.append(
                EmailTarget(
                    t.name, tuple(t.to), sender=t.sender, smtp_host=t.smtp_host,
                    smtp_port=t.smtp_port, starttls=t.starttls,
                    username=settings.secret(t.username_env),
                    password=settings.secret(t.password_env),
                    ca_file=str(settings.resolve_path(t.ca_file)) if t.ca_file else None,
                    timeout=t.timeout, rules=rules,
                    problem=_missing(
                        settings, username_env=t.username_env, password_env=t.password_env
                    ),
                )
            )  # fmt: skip
        elif t.type == "file":
            targets.append(
                FileTarget(t.name, settings.resolve_path(t.path), format=t.format, rules=rules)
            )
        else:
            targets.append(helpdesk_target(settings, t, rules))
    return targets


def helpdesk_target(settings: Settings, t: Any, rules: "Rules") -> "Target":
    """A ``zendesk``/``freshdesk``/``rt`` target with its credentials from the environment."""
    from triage.export.targets import HelpdeskTarget

    common = {"tags": tuple(t.tags), "timeout": t.timeout, "rules": rules}
    if t.type == "rt":
        return HelpdeskTarget(
            t.name, "rt", t.url, token=settings.secret(t.token_env), queue=t.queue,
            problem=_missing(settings, token_env=t.token_env), **common,
        )  # fmt: skip
    if t.type == "zendesk":
        url = t.url or f"https://{t.subdomain}.zendesk.com"
        return HelpdeskTarget(
            t.name, "zendesk", url, token=settings.secret(t.token_env),
            email=settings.secret(t.email_env),
            problem=_missing(settings, email_env=t.email_env, token_env=t.token_env), **common,
        )  # fmt: skip
    return HelpdeskTarget(
        t.name, "freshdesk", t.url, token=settings.secret(t.api_key_env),
        email=t.default_requester,
        problem=_missing(settings, api_key_env=t.api_key_env), **common,
    )  # fmt: skip


def retry_policy(settings: Settings) -> "RetryPolicy":
    """The export's backoff from ``[export]``."""
    from datetime import timedelta

    from triage.export.targets import RetryPolicy

    e = settings.export
    return RetryPolicy(
        base=timedelta(minutes=e.retry_base_minutes),
        cap=timedelta(hours=e.retry_max_hours),
        stop_after=e.stop_after_failures,
    )


def alert_channels(settings: Settings) -> list["Channel"]:
    """The ``[alerts] channels`` with their secrets resolved from the environment."""
    from triage.alerts import Channel

    channels = []
    for index, c in enumerate(settings.alerts.channels):
        url = settings.secret(c.url_env) if c.url_env else c.url
        problem = _missing(
            settings, url_env=c.url_env, username_env=c.username_env, password_env=c.password_env
        )
        channels.append(
            Channel(
                name=c.name or f"{c.type}-{index + 1}", kind=c.type, url=url, to=tuple(c.to),
                sender=c.sender, smtp_host=c.smtp_host, smtp_port=c.smtp_port,
                starttls=c.starttls, username=settings.secret(c.username_env),
                password=settings.secret(c.password_env),
                ca_file=str(settings.resolve_path(c.ca_file)) if c.ca_file else None,
                timeout=c.timeout, problem=problem,
            )
        )  # fmt: skip
    return channels


def alert_policy(settings: Settings) -> "AlertPolicy":
    """The alert thresholds from ``[alerts]``, with the sources and the schedule's time zone."""
    from datetime import timedelta

    from triage.alerts import AlertPolicy

    a = settings.alerts
    return AlertPolicy(
        digest=a.digest,
        spike_factor=a.spike_factor,
        spike_min_count=a.spike_min_count,
        spike_baseline_days=a.spike_baseline_days,
        spike_cooldown=timedelta(hours=a.spike_cooldown_hours),
        silence_factor=a.silence_factor,
        failed_runs=a.failed_runs,
        timezone=settings.schedule.timezone,
        sources=tuple(s.name for s in settings.sources if s.enabled),
        queue_url=dashboard_url(settings) + "/",
    )

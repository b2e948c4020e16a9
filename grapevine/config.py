"""Configuration: ``grapevine.toml`` plus environment variables, validated into typed settings.

Read once, at an entry point (the CLI, the dashboard script, the scheduler), and passed down;
packages below ``grapevine/`` never read files or the environment themselves.

Decisions:

* The file is TOML; unknown keys are errors (a typo must not silently do nothing).
* ``GRAPEVINE_DATABASE_URL`` overrides ``[database] url``; secrets are never written in the
  file: a setting ending in ``_env`` names the environment variable that holds the secret,
  and :meth:`Settings.secret` reads it.
* Relative paths (a SQLite file, the templates folder, a file target) are relative to the
  directory of the config file, so a config works wherever it is called from.
* Every problem is reported as one :class:`ConfigError` line naming the file, the key and
  what was expected.
"""

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url

from grapevine.config_base import Strict
from grapevine.config_cluster import BROKER_URL_ENV, ClusterConfig
from grapevine.config_ops import (
    AlertsConfig,
    ExportConfig,
    ReportConfig,
    ScheduleConfig,
    Target,
)
from grapevine.config_privacy import RetentionConfig
from grapevine.config_sources import CrawlConfig, Source

DEFAULT_CONFIG = "grapevine.toml"
CONFIG_ENV = "GRAPEVINE_CONFIG"
DATABASE_URL_ENV = "GRAPEVINE_DATABASE_URL"


class ConfigError(Exception):
    """A configuration problem, as one line a user can act on."""

    def __init__(self, path: Path | str, key: str, expected: str) -> None:
        self.path, self.key, self.expected = str(path), key, expected
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + expected)


class BrandConfig(Strict):
    """The brand Grapevine listens for (or a competitor, in ``[[competitors]]``)."""

    name: str = Field(min_length=1)
    terms: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_terms(self) -> "BrandConfig":
        if not self.terms:
            self.terms = [self.name]
        return self


class DatabaseConfig(Strict):
    """Where mentions and cases are stored; SQLite by default, PostgreSQL by URL."""

    url: str = "sqlite:///grapevine.db"

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            parsed = make_url(value)
        except Exception as exc:
            raise ValueError(f"a database URL like sqlite:///grapevine.db ({exc})") from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("a sqlite:/// or postgresql:// URL")
        return value


class AnalysisConfig(Strict):
    """Tuning of the sentiment stage for this company."""

    lexicon: dict[str, float] = Field(default_factory=dict)
    aspects: dict[str, list[str]] = Field(default_factory=dict)
    order_number_pattern: str = (
        r"\b(?:order|ord|#)\s*(?:no\.?|number|#)?\s*[:#]?\s*([A-Z0-9-]{5,})\b"
    )
    min_link_confidence: float = Field(default=0.9, ge=0, le=1)
    #: a mention in a language without a pack (not scored): "triage" puts it in the queue
    #: for a person to read, "skip" lets its star rating alone decide
    unscored_languages: Literal["triage", "skip"] = "triage"

    @field_validator("order_number_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"a regular expression ({exc})") from None
        return value

    @field_validator("lexicon")
    @classmethod
    def _valence(cls, value: dict[str, float]) -> dict[str, float]:
        for word, valence in value.items():
            if not -4 <= valence <= 4:
                raise ValueError(
                    f"valences between -4 and 4 (VADER's scale); {word!r} is {valence}"
                )
        return value


class TriageConfig(Strict):
    """How cases are opened, prioritised and followed up."""

    sla_hours: float = Field(default=24, gt=0)
    urgent_sla_hours: float = Field(default=4, gt=0)
    urgent_priority: float = Field(default=0.7, ge=0, le=1)
    follow_up_days: list[int] = Field(default_factory=lambda: [30, 60, 90])
    templates_dir: str | None = None
    competitor_cases: bool = False
    max_new_cases_per_source: int = Field(
        default=200,
        ge=0,
        description="cases one run opens per source at most, highest priority first "
        "(the rest waits for the next runs, with one flood alert); 0: no cap",
    )


class UserConfig(Strict):
    """A dashboard user; the password hash is argon2 (``grapevine users hash``) or bcrypt."""

    name: str = Field(min_length=1)
    role: Literal["viewer", "responder", "admin"] = "responder"
    password_hash: str = Field(pattern=r"^\$(argon2(id|i|d)|2[aby])\$")


class OidcConfig(Strict):
    """Sign-in with an OpenID Connect provider (Streamlit's ``st.login``).

    The client id and secrets go in ``.streamlit/secrets.toml`` (``[auth]``), never here.
    """

    provider: str | None = Field(
        default=None, description="a named [auth.<provider>] in secrets.toml; None: [auth]"
    )
    roles: dict[str, Literal["viewer", "responder", "admin"]] = Field(default_factory=dict)
    default_role: Literal["viewer", "responder", "admin"] | None = None


class DashboardConfig(Strict):
    """The Streamlit dashboard."""

    host: str = "127.0.0.1"
    port: int = Field(default=8501, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="link base used in exports")
    oidc: OidcConfig | None = None


class Settings(Strict):
    """Everything Grapevine is configured with."""

    brand: BrandConfig
    competitors: list[BrandConfig] = Field(default_factory=list)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    sources: list[Source] = Field(default_factory=list)
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    triage: TriageConfig = Field(default_factory=TriageConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    targets: list[Target] = Field(default_factory=list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    users: list[UserConfig] = Field(default_factory=list)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)

    # not from the file: where it was read and the environment it was read with
    path: Path = Field(default=Path(DEFAULT_CONFIG), exclude=True)
    env: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    @model_validator(mode="after")
    def _unique_names(self) -> "Settings":
        for kind, items in (("sources", self.sources), ("targets", self.targets)):
            seen: set[str] = set()
            for index, item in enumerate(items):
                if item.name in seen:
                    raise ValueError(
                        f"{kind}[{index}].name: a unique name; {item.name!r} is repeated"
                    )
                seen.add(item.name)
        brands = {self.brand.name, *(c.name for c in self.competitors)}
        for index, source in enumerate(self.sources):
            if source.brand is not None and source.brand not in brands:
                raise ValueError(
                    f"sources[{index}].brand: the brand's or a competitor's name ("
                    + ", ".join(sorted(brands))
                    + f"); got {source.brand!r}"
                )
        return self

    @property
    def base_dir(self) -> Path:
        """The directory relative paths in the config are relative to."""
        return self.path.resolve().parent

    def resolve_path(self, value: str | Path) -> Path:
        """``value`` relative to the config file's directory (absolute paths unchanged)."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def database_url(self) -> str:
        """The database URL, from ``GRAPEVINE_DATABASE_URL`` or the file, paths resolved."""
        url = self.env.get(DATABASE_URL_ENV) or self.database.url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            parsed = parsed.set(database=str(self.resolve_path(parsed.database)))
        return parsed.render_as_string(hide_password=False)

    @property
    def broker_url(self) -> str | None:
        """The cluster's broker: ``GRAPEVINE_BROKER_URL``, else ``[cluster] broker_url``."""
        return self.env.get(BROKER_URL_ENV) or self.cluster.broker_url

    @property
    def redis_url(self) -> str | None:
        """Redis for the crawl's shared politeness and queues: ``[crawl] redis_url``, else a
        Redis broker."""
        broker = self.broker_url
        return self.crawl.redis_url or (broker if broker and broker.startswith("redis") else None)

    def secret(self, env_name: str | None) -> str | None:
        """The secret held in the environment variable ``env_name`` (``None`` if unset)."""
        if not env_name:
            return None
        return self.env.get(env_name) or None

    def source(self, name: str) -> Any:
        """The configured source called ``name``."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def brand_names(self) -> list[str]:
        """The own brand first, then the competitors."""
        return [self.brand.name, *(c.name for c in self.competitors)]


def config_path(explicit: str | Path | None, env: Mapping[str, str] | None = None) -> Path:
    """The config file: ``explicit``, else ``$GRAPEVINE_CONFIG``, else ``./grapevine.toml``."""
    env = os.environ if env is None else env
    return Path(explicit or env.get(CONFIG_ENV) or DEFAULT_CONFIG)


def _key(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic error location into ``sources[1].domain`` (union tags left out)."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
            continue
        if isinstance(node, dict) and item in node:
            parts.append(("." if parts else "") + str(item))
            node = node[item]
        elif (
            node is not None and isinstance(node, dict) and "type" in node and item == node["type"]
        ):
            continue  # discriminated-union tag
        else:
            parts.append(("." if parts else "") + str(item))
            node = None
    return "".join(parts)


def _describe(error: Any) -> tuple[str, str]:
    """(sub-key, what was expected) for one pydantic error."""
    kind, msg, ctx = error["type"], error["msg"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "", "unknown key (check the spelling; `grapevine init` writes every key)"
    if kind == "missing":
        return "", "required key is missing"
    if kind == "union_tag_invalid":
        return "type", f"expected one of {ctx.get('expected_tags', '')} (got {ctx.get('tag')!r})"
    if kind == "union_tag_not_found":
        return "type", "required key is missing (the kind of source or target)"
    if kind == "string_pattern_mismatch" and "argon2" in str(ctx.get("pattern", "")):
        return "", "expected an argon2 or bcrypt hash (make one with `grapevine users hash`)"
    if kind == "string_pattern_mismatch" and "https?" in str(ctx.get("pattern", "")):
        return "", f"expected an http(s):// URL (got {error['input']!r})"
    if kind == "string_pattern_mismatch":
        return "", f"expected lowercase letters, digits, '-', '_' or '.' (got {error['input']!r})"
    msg = msg.removeprefix("Value error, ").removeprefix("Input should be ")
    sub = ""
    match = re.match(r"^([A-Za-z_][\w.\[\]]*): (.*)$", msg)
    if kind == "value_error" and match:
        sub, msg = match.group(1), match.group(2)
    shown = error.get("input")
    if kind != "value_error" and not isinstance(shown, dict | list):
        msg = f"{msg} (got {shown!r})"
    return sub, "expected " + msg


def parse_config(
    data: dict[str, Any], path: Path, env: Mapping[str, str] | None = None
) -> Settings:
    """Validate ``data`` (a parsed TOML document) into :class:`Settings`."""
    env = dict(os.environ if env is None else env)
    try:
        settings = Settings.model_validate({**data})
    except ValidationError as exc:
        error = exc.errors()[0]
        key = _key(tuple(error["loc"]), data)
        sub, expected = _describe(error)
        if sub:
            key = f"{key}.{sub}" if key and not sub.startswith(key.split("[")[0]) else sub
        raise ConfigError(path, key, expected) from None
    settings.path = path
    settings.env = env
    return settings


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the config file (see :func:`config_path` for which one)."""
    cfg_path = config_path(path, env)
    if not cfg_path.exists():
        raise ConfigError(
            cfg_path, "", "no such file; create one with `grapevine init` or pass --config PATH"
        )
    try:
        data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(cfg_path, "", f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(cfg_path, "", f"cannot be read: {exc}") from None
    return parse_config(data, cfg_path, env)

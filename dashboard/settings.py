"""What the dashboard is configured with, handed over by ``grapevine dashboard``.

The dashboard imports only ``storage`` and ``triage``; the application builds these values
from ``grapevine.toml`` and passes them to the Streamlit process as a JSON file named by the
``GRAPEVINE_DASHBOARD_SETTINGS`` environment variable (read once, by the entry script).
"""

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

SETTINGS_ENV = "GRAPEVINE_DASHBOARD_SETTINGS"


#: Roles, least to most: read; work cases; everything including the settings view.
ROLES = ("viewer", "responder", "admin")


class DashboardUser(BaseModel):
    """A user who may sign in."""

    name: str
    role: str = "responder"
    password_hash: str


class OidcSettings(BaseModel):
    """Sign-in through an OpenID Connect provider with ``st.login``.

    The provider's client id and secrets live in Streamlit's ``.streamlit/secrets.toml``
    (``[auth]``); ``roles`` maps a signed-in email to a role, ``default_role`` is for any
    other verified email (``None``: they are refused).
    """

    provider: str | None = None
    roles: dict[str, str] = Field(default_factory=dict)
    default_role: str | None = None


class DashboardSettings(BaseModel):
    """Everything the dashboard needs."""

    database_url: str
    brand: str = "Your brand"
    competitors: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    templates_dir: str | None = None
    users: list[DashboardUser] = Field(default_factory=list)
    sla_hours: float = 24.0
    urgent_sla_hours: float = 4.0
    urgent_priority: float = 0.7
    follow_up_days: list[int] = Field(default_factory=lambda: [30, 60, 90])
    targets: list[str] = Field(default_factory=list)
    public_url: str | None = None
    # added for the dashboard pages
    aspects: list[str] = Field(default_factory=list)
    order_number_pattern: str | None = None
    spike_factor: float = 3.0
    spike_min_count: int = 5
    spike_baseline_days: int = 14
    host: str = "127.0.0.1"
    port: int = 8501
    oidc: OidcSettings | None = None
    config_path: str | None = None
    #: each source's settings by name (type, base_url, the ``*_env`` variable names; never a
    #: secret), for the reply connectors of the case page (:mod:`dashboard.reply_view`)
    reply_sources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: the file-drop export targets (name, path, format), which forgetting a person rewrites
    #: (:mod:`dashboard.privacy_view`)
    file_exports: list[tuple[str, str, str]] = Field(default_factory=list)

    @property
    def sign_in_required(self) -> bool:
        """Whether people must sign in (users or an OIDC provider are configured)."""
        return bool(self.users) or self.oidc is not None

    def write(self, path: Path) -> Path:
        """Write as JSON, readable by the owner only."""
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(self.model_dump_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: str | Path) -> "DashboardSettings":
        """Read from a JSON file written by :meth:`write`."""
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.model_validate(data)

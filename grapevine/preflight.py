"""Before a crawl: sources on this machine's loopback address that nothing serves.

The demo writes a config whose sources all live on the demo site (``http://127.0.0.1:8599``),
which exists only while ``grapevine demo`` runs. Crawling an address that refuses costs each
source Scrapy's retries with backoff (about 20 s) and ends in a connection error that says
nothing about the demo. So before the crawl each distinct loopback ``host:port`` among the
enabled sources' ``base_url`` and ``urls`` is tried once: a TCP connect, at most
:data:`TIMEOUT` seconds (a refusal on loopback is immediate). A source whose address refuses
is not crawled: it gets a failed CrawlRun at once with the reason (so ``grapevine status``,
the dashboard and the failed-runs alert see it) and the run exits 1; the other sources are
crawled as usual.

Addresses off this machine are never probed, so real sources are not slowed down: a remote
site that is down is what the crawl's retries are for. A loopback port that accepts but does
not answer (or times out) is left to the crawl too: only a refusal is certain.
"""

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import Engine

from crawler.runner import SourceResult
from grapevine.config import Settings
from storage.runs import record_failed_run

#: Seconds to wait for a loopback connect (a refusal comes back in microseconds).
TIMEOUT = 1.0
#: Paths only the bundled demo site serves (:mod:`grapevine.demo_site`).
DEMO_PATHS = ("/reviews/larkwood", "/feeds/mentions.xml")


@dataclass
class Unserved:
    """The enabled sources whose loopback address refused a connection."""

    addresses: dict[str, list[str]] = field(default_factory=dict)  # address -> source names
    demo: bool = False

    @property
    def names(self) -> list[str]:
        """Every source that will not be crawled."""
        return [name for names in self.addresses.values() for name in names]

    def reason(self, address: str) -> str:
        """Why the sources at ``address`` were not crawled (their CrawlRun's error)."""
        if self.demo:
            return (
                f"nothing answers at {address} (connection refused), the demo site: it runs "
                "only while "
                "`grapevine demo` does — start `grapevine demo` again (it rewrites this config "
                "with the new address)"
            )
        return (
            f"nothing answers at {address} (connection refused; this machine) — is the local "
            "server running?"
        )

    def message(self) -> str:
        """One line for the terminal."""
        return "; ".join(
            f"{', '.join(names)}: {self.reason(address)}"
            for address, names in self.addresses.items()
        )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuses(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:  # a timeout or anything else: not certain, the crawl will tell
        return False


def find_unserved(settings: Settings, names: list[str] | None = None) -> Unserved:
    """The enabled sources (or the ``names``) on a loopback address that refuses connections."""
    found = Unserved()
    verdicts: dict[tuple[str, int], bool] = {}
    for source in settings.sources:
        if (source.name not in names) if names else not source.enabled:
            continue
        urls = [getattr(source, "base_url", None), *(getattr(source, "urls", None) or [])]
        for url in filter(None, urls):
            parts = urlsplit(url)
            host = parts.hostname or ""
            if parts.scheme not in ("http", "https") or not _loopback(host):
                continue
            port = parts.port or (443 if parts.scheme == "https" else 80)
            if (host, port) not in verdicts:
                verdicts[(host, port)] = _refuses(host, port)
            if verdicts[(host, port)]:
                address = f"{parts.scheme}://{parts.netloc}"
                found.addresses.setdefault(address, []).append(source.name)
                found.demo = found.demo or any(d in parts.path for d in DEMO_PATHS)
                break
    return found


def skip_unserved(
    settings: Settings, engine: Engine, unserved: Unserved
) -> tuple[Settings, list[SourceResult]]:
    """Record the unserved sources' failed CrawlRuns; the settings without them to crawl."""
    results = []
    for address, names in unserved.addresses.items():
        for name in names:
            source = settings.source(name)
            reason = unserved.reason(address)
            record_failed_run(engine, source=name, source_type=source.type, reason=reason)
            results.append(SourceResult(name=name, type=source.type, error=reason))
    skipped = set(unserved.names)
    remaining = [
        s.model_copy(update={"enabled": False}) if s.name in skipped else s
        for s in settings.sources
    ]
    return settings.model_copy(update={"sources": remaining}), results

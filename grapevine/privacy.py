"""Forgetting a person and answering an access request (``grapevine forget``/``export-person``).

The database part is :mod:`storage.privacy` (what is found, what is erased, why the rollups
still add up); the file-drop exports are cleaned by :mod:`triage.privacy_files`. This module
puts them together for the command line: a preview with counts per table, the erasure in one
transaction with its audit row, then the files; and the list of targets the person's cases
were sent to, which cannot be recalled from here.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from grapevine.config import Settings
from grapevine.config_ops import FileTarget as FileTargetConfig
from grapevine.locks import RunLock
from storage import privacy
from storage.types import utcnow
from triage.privacy_files import remove_records


@dataclass(frozen=True)
class Who:
    """How the person was named: any of a CRM id, an email, a phone, a (source, handle)."""

    customer: str | None = None
    email: str | None = None
    phone: str | None = None
    author: tuple[str, str] | None = None

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`storage.privacy.find_person`."""
        return {
            "customer": self.customer,
            "email": self.email,
            "phone": self.phone,
            "author": self.author,
        }

    def describe(self) -> str:
        """In words, for the preview (this is the operator's own input)."""
        parts = []
        if self.customer:
            parts.append(f"customer {self.customer}")
        if self.email:
            parts.append(f"email {self.email}")
        if self.phone:
            parts.append(f"phone {self.phone}")
        if self.author:
            parts.append(f"author {self.author[0]}:{self.author[1]}")
        return ", ".join(parts)


def parse_author(value: str) -> tuple[str, str]:
    """``SOURCE:HANDLE`` as a pair; ``ValueError`` with what was expected."""
    source, sep, handle = value.partition(":")
    if not sep or not source.strip() or not handle.strip():
        raise ValueError(
            f"--author takes SOURCE:HANDLE (a source's name or type, then the handle), "
            f"e.g. mastodon:@anna@example.social (got {value!r})"
        )
    return source.strip(), handle.strip()


@dataclass
class Plan:
    """What a forget will do: counts per table, the ledger's targets, the files' records."""

    person: privacy.Person
    counts: dict[str, int]
    sent_to: list[dict[str, Any]]
    files: list[tuple[str, Path, int]] = field(default_factory=list)
    request_id: str | None = None

    @property
    def nothing(self) -> bool:
        """Whether nothing is held and no handle is to be tombstoned."""
        return self.person.empty and not self.person.handles


def file_targets(settings: Settings) -> list[tuple[str, Path, str]]:
    """Every ``type = "file"`` target (enabled or not): name, path, format."""
    return [
        (t.name, settings.resolve_path(t.path), t.format)
        for t in settings.targets
        if isinstance(t, FileTargetConfig)
    ]


def _files(
    settings: Settings, person: privacy.Person, *, dry_run: bool
) -> list[tuple[str, Path, int]]:
    pattern = privacy.needle_pattern(person.needles)
    out = []
    for name, path, fmt in file_targets(settings):
        removed = remove_records(
            path, fmt=fmt, case_ids=set(person.case_ids), pattern=pattern, dry_run=dry_run
        )
        out.append((name, path, removed))
    return out


def preview(engine: Engine, settings: Settings, who: Who) -> Plan:
    """What :func:`forget` would erase, changing nothing."""
    with engine.connect() as conn:
        person = privacy.find_person(conn, **who.kwargs())
        sent_to = privacy.export_targets(conn, person)
    plan = Plan(person, person.counts(), sent_to)
    plan.files = _files(settings, person, dry_run=True)
    return plan


def forget(
    engine: Engine,
    settings: Settings,
    who: Who,
    *,
    actor: str,
    reason: str = "",
    wait: float = 60.0,
) -> Plan:
    """Erase the person (one transaction with the audit row), then clean the file exports.

    A file-drop export that cannot be rewritten raises ``OSError`` before anything in the
    database changed. Holds the ``run`` and ``export`` locks meanwhile (waiting up to
    ``wait`` seconds, then :class:`~grapevine.locks.Busy`): no crawl stores their mentions
    between the search and the tombstones, and no export appends to a file being rewritten.
    """
    with RunLock(engine, "run", wait=wait), RunLock(engine, "export", wait=wait):
        return _forget(engine, settings, who, actor=actor, reason=reason)


def _forget(engine: Engine, settings: Settings, who: Who, *, actor: str, reason: str) -> Plan:
    # the files first: a file that cannot be rewritten (OSError) stops it before the
    # database changes, so the same forget can simply be run again
    with engine.connect() as conn:
        found = privacy.find_person(conn, **who.kwargs())
        sent_to = privacy.export_targets(conn, found)
    files = _files(settings, found, dry_run=False)
    with engine.begin() as conn:
        person, counts, request_id = privacy.forget_person(
            conn, actor=actor, reason=reason, **who.kwargs()
        )
    privacy.checkpoint(engine)
    return Plan(person, counts, sent_to, files=files, request_id=request_id)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def export_person(engine: Engine, who: Who, *, actor: str) -> dict[str, Any]:
    """Everything held about the person, as a JSON-ready dict; the access is audited."""
    from storage.audit import record_audit

    with engine.begin() as conn:
        person = privacy.find_person(conn, **who.kwargs())
        data = privacy.person_data(conn, person)
        record_audit(
            conn,
            actor=actor,
            action="person.exported",
            subject_type="customer" if who.customer or who.email or who.phone else "author",
            subject_id=",".join(str(i) for i in person.customer_ids),
            summary="access request: "
            + ", ".join(f"{n} {table}" for table, n in person.counts().items()),
            detail={"counts": person.counts(), "customer_ids": person.customer_ids},
        )
    document = {
        "generated_at": utcnow().isoformat(),
        "about": who.describe(),
        "what": "Everything Grapevine holds about this person: customer records, links to "
        "public mentions, the mentions with earlier versions, cases with their timeline and "
        "where they were sent, quarantined items, other records naming them.",
        **data,
    }
    result: dict[str, Any] = json.loads(json.dumps(document, default=_plain, ensure_ascii=False))
    return result

"""What every helpdesk client offers: create a ticket once, read its state, add a note."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

#: A ticket's state reduced to what a case needs; each client maps its own statuses onto it.
TicketStatus = Literal["open", "pending", "solved", "closed"]


@dataclass(frozen=True)
class TicketRef:
    """A ticket in the helpdesk: its id and a link a person can open."""

    ticket_id: str
    url: str | None = None


@dataclass(frozen=True)
class TicketState:
    """A ticket's state now: status, last change, and the newest public or private note."""

    status: TicketStatus
    raw_status: str
    updated_at: datetime | None = None
    last_note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class HelpdeskError(Exception):
    """The helpdesk refused or could not be reached; ``retryable`` for 429/5xx/timeouts."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class HelpdeskClient(Protocol):
    """One helpdesk's API, idempotent by the case's ``external_id`` (``grapevine-case-<id>``)."""

    kind: str

    def find_ticket(self, external_id: str) -> TicketRef | None:
        """The ticket already created for ``external_id``, if any (for idempotent creation)."""
        ...

    def create_ticket(self, payload: Mapping[str, Any], *, external_id: str) -> TicketRef:
        """Create the ticket of a case (payload as :mod:`triage.export.payload` builds it)."""
        ...

    def ticket_state(self, ref: TicketRef, *, with_note: bool = True) -> TicketState:
        """Read the ticket's status and (``with_note``) its newest note not by Grapevine."""
        ...

    def add_note(self, ref: TicketRef, text: str) -> None:
        """Add an internal note (e.g. "resolved in Grapevine by dana")."""
        ...

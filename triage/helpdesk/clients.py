"""The client of a helpdesk target, and the export's sender for it.

:class:`HelpdeskSender` is what :func:`triage.export.senders.sender_for` returns for a
``zendesk``/``freshdesk``/``rt`` target. Every delivery looks for the case's ticket first
(``grapevine-case-<id>``) and creates it only when there is none, so an export that died
after the helpdesk created the ticket but before the ledger said ``sent`` finds that ticket
on the next run instead of opening a second one. The reference stored on the ledger row is
``<kind> #<ticket id> <link>`` (:func:`reference`, read back by :func:`parse_reference`).
"""

import re
from typing import Any

from triage.export.targets import HelpdeskTarget
from triage.helpdesk.base import HelpdeskClient, HelpdeskError, TicketRef
from triage.helpdesk.freshdesk import FreshdeskClient
from triage.helpdesk.rt import RtClient
from triage.helpdesk.zendesk import ZendeskClient
from triage.http_delivery import DeliveryError

_REFERENCE = re.compile(r"^(?P<kind>zendesk|freshdesk|rt) #(?P<id>\S+)(?: (?P<url>\S+))?$")


def external_id(case_id: int) -> str:
    """The case's id in every helpdesk: ``grapevine-case-<id>``."""
    return f"grapevine-case-{case_id}"


def client_for(target: HelpdeskTarget) -> HelpdeskClient:
    """The API client of a helpdesk target (its credentials resolved by the application)."""
    if target.kind == "rt":
        return RtClient(
            target.url, token=target.token or "", queue=target.queue or "General",
            timeout=target.timeout,
        )  # fmt: skip
    if target.kind == "zendesk":
        return ZendeskClient(
            target.url, email=target.email or "", token=target.token or "", tags=target.tags,
            timeout=target.timeout,
        )  # fmt: skip
    return FreshdeskClient(
        target.url, api_key=target.token or "", tags=target.tags, timeout=target.timeout,
        default_requester=target.email or "grapevine@example.com",
    )  # fmt: skip


def reference(kind: str, ref: TicketRef) -> str:
    """What the ledger row keeps: ``rt #12 https://rt.example.com/Ticket/Display.html?id=12``."""
    return f"{kind} #{ref.ticket_id}" + (f" {ref.url}" if ref.url else "")


def parse_reference(text: str | None) -> tuple[str, TicketRef] | None:
    """(kind, ticket) from a ledger reference written by :func:`reference`."""
    found = _REFERENCE.match((text or "").strip())
    if found is None:
        return None
    return found["kind"], TicketRef(found["id"], found["url"])


class HelpdeskDeliveryError(DeliveryError):
    """A failed delivery to a helpdesk; ``retry_after``: its 429's ``Retry-After`` seconds,
    which the export waits at least before the next attempt."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HelpdeskSender:
    """Creates each case's ticket once (finds it first) and returns its reference."""

    def __init__(self, target: HelpdeskTarget) -> None:
        self.target = target
        self.client = client_for(target)

    def send(self, delivery: Any) -> str:
        """Deliver one :class:`triage.export.senders.Delivery`; raises ``DeliveryError``."""
        payload = delivery.payload
        ext = external_id(int(payload["case_id"]))
        try:
            ref = self.client.find_ticket(ext)
            if ref is None:
                ref = self.client.create_ticket(payload, external_id=ext)
        except HelpdeskError as exc:
            raise HelpdeskDeliveryError(str(exc), retry_after=exc.retry_after) from None
        return reference(self.target.kind, ref)

    def close(self) -> None:
        """Close the client's connections."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

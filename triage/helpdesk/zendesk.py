"""Zendesk Support through its tickets API (``https://SUBDOMAIN.zendesk.com/api/v2/``).

Auth: an API token (*Admin Center → Apps and integrations → Zendesk API*) with the agent's
email, as basic auth ``EMAIL/token:TOKEN``. A case's ticket has ``external_id`` =
``grapevine-case-<id>``; :meth:`ZendeskClient.find_ticket` lists by it before creating.

Statuses: new, open → open; pending, hold → pending; solved → solved; closed → closed.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from triage.helpdesk.base import TicketRef, TicketState, TicketStatus
from triage.helpdesk.http import JsonApi, is_ours, requester, ticket_body, ticket_subject

STATUS: dict[str, TicketStatus] = {
    "new": "open",
    "open": "open",
    "pending": "pending",
    "hold": "pending",
    "solved": "solved",
    "closed": "closed",
}


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``2026-12-01T10:00:00Z``) in UTC."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


class ZendeskClient:
    """One Zendesk account."""

    kind = "zendesk"

    def __init__(
        self,
        url: str,
        *,
        email: str,
        token: str,
        tags: tuple[str, ...] = ("grapevine",),
        timeout: float = 20,
    ) -> None:
        self.base = url.rstrip("/")
        self.api = JsonApi(
            self.base + "/api/v2/", name="Zendesk", timeout=timeout,
            auth=(f"{email}/token", token),
        )  # fmt: skip
        self.tags = list(tags)

    def link(self, ticket_id: str) -> str:
        """The ticket in the agent interface."""
        return f"{self.base}/agent/tickets/{ticket_id}"

    def find_ticket(self, external_id: str) -> TicketRef | None:
        """The ticket whose ``external_id`` is the case's."""
        found = self.api.call("GET", "tickets.json", params={"external_id": external_id})
        for ticket in (found or {}).get("tickets", []):
            if ticket.get("external_id") == external_id:
                return TicketRef(str(ticket["id"]), self.link(str(ticket["id"])))
        return None

    def create_ticket(self, payload: Mapping[str, Any], *, external_id: str) -> TicketRef:
        """A ticket with the case as its first comment, the linked customer as requester."""
        ticket: dict[str, Any] = {
            "subject": ticket_subject(payload, external_id),
            "comment": {"body": ticket_body(payload)},
            "external_id": external_id,
            "tags": [*self.tags, external_id],
        }
        name, email = requester(payload)
        if email:
            ticket["requester"] = {"name": name or email, "email": email}
        made = self.api.call("POST", "tickets.json", json={"ticket": ticket})
        ticket_id = str(made["ticket"]["id"])
        return TicketRef(ticket_id, self.link(ticket_id))

    def ticket_state(self, ref: TicketRef, *, with_note: bool = True) -> TicketState:
        """Status, last update and the newest comment not written by Grapevine."""
        ticket = self.api.call("GET", f"tickets/{ref.ticket_id}.json")["ticket"]
        raw = str(ticket.get("status", ""))
        comments = (
            self.api.call("GET", f"tickets/{ref.ticket_id}/comments.json") if with_note else None
        )
        note = None
        for comment in reversed((comments or {}).get("comments", [])[1:]):  # [0] is ours
            body = str(comment.get("body") or comment.get("plain_body") or "").strip()
            if body and not is_ours(body):
                note = body
                break
        return TicketState(
            status=STATUS.get(raw, "open"),
            raw_status=raw,
            updated_at=iso_time(ticket.get("updated_at")),
            last_note=note,
        )

    def add_note(self, ref: TicketRef, text: str) -> None:
        """A private comment (an internal note) on the ticket."""
        self.api.call(
            "PUT",
            f"tickets/{ref.ticket_id}.json",
            json={"ticket": {"comment": {"body": text, "public": False}}},
        )

    def close(self) -> None:
        """Close the connections."""
        self.api.close()

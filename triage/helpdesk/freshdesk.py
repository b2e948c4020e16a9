"""Freshdesk through its API v2 (``https://YOURCOMPANY.freshdesk.com/api/v2/``).

Auth: the agent's API key (*Profile settings → View API key*) as basic auth ``KEY:X``. A
case's ticket carries the tag ``grapevine-case-<id>``; :meth:`FreshdeskClient.find_ticket`
searches by it before creating (Freshdesk's search index can lag a new ticket by a few
minutes, so the export's crash window is narrowed, not closed, for Freshdesk).

Statuses: 2 open, 3 pending, 4 resolved, 5 closed (custom statuses count as pending).
"""

from collections.abc import Mapping
from typing import Any

from triage.helpdesk.base import TicketRef, TicketState, TicketStatus
from triage.helpdesk.http import JsonApi, is_ours, requester, ticket_body, ticket_subject
from triage.helpdesk.zendesk import iso_time

STATUS: dict[int, TicketStatus] = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
RAW = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}


class FreshdeskClient:
    """One Freshdesk account."""

    kind = "freshdesk"

    def __init__(
        self,
        url: str,
        *,
        api_key: str,
        default_requester: str = "grapevine@example.com",
        tags: tuple[str, ...] = ("grapevine",),
        timeout: float = 20,
    ) -> None:
        self.base = url.rstrip("/")
        self.api = JsonApi(
            self.base + "/api/v2/", name="Freshdesk", timeout=timeout, auth=(api_key, "X")
        )
        self.default_requester = default_requester
        self.tags = list(tags)

    def link(self, ticket_id: str) -> str:
        """The ticket in the agent interface."""
        return f"{self.base}/a/tickets/{ticket_id}"

    def find_ticket(self, external_id: str) -> TicketRef | None:
        """The ticket tagged with the case's ``grapevine-case-<id>``."""
        found = self.api.call("GET", "search/tickets", params={"query": f"\"tag:'{external_id}'\""})
        for ticket in (found or {}).get("results", []):
            if external_id in (ticket.get("tags") or [external_id]):
                return TicketRef(str(ticket["id"]), self.link(str(ticket["id"])))
        return None

    def create_ticket(self, payload: Mapping[str, Any], *, external_id: str) -> TicketRef:
        """An open ticket; the requester is the linked customer, else ``default_requester``."""
        name, email = requester(payload)
        ticket: dict[str, Any] = {
            "subject": ticket_subject(payload, external_id),
            "description": "<pre>" + _html(ticket_body(payload)) + "</pre>",
            "email": email or self.default_requester,
            "status": 2,
            "priority": 3 if payload.get("complaint") else 2,
            "tags": [*self.tags, external_id],
        }
        if name and email:
            ticket["name"] = name
        made = self.api.call("POST", "tickets", json=ticket)
        ticket_id = str(made["id"])
        return TicketRef(ticket_id, self.link(ticket_id))

    def ticket_state(self, ref: TicketRef, *, with_note: bool = True) -> TicketState:
        """Status, last update and the newest conversation not written by Grapevine."""
        ticket = self.api.call("GET", f"tickets/{ref.ticket_id}")
        code = int(ticket.get("status") or 2)
        talk = (
            self.api.call("GET", f"tickets/{ref.ticket_id}/conversations") or []
            if with_note
            else []
        )
        note = None
        for item in reversed(talk):
            body = str(item.get("body_text") or "").strip()
            if body and not is_ours(body):
                note = body
                break
        return TicketState(
            status=STATUS.get(code, "pending"),
            raw_status=RAW.get(code, str(code)),
            updated_at=iso_time(ticket.get("updated_at")),
            last_note=note,
        )

    def add_note(self, ref: TicketRef, text: str) -> None:
        """A private note on the ticket."""
        self.api.call(
            "POST", f"tickets/{ref.ticket_id}/notes", json={"body": _html(text), "private": True}
        )

    def close(self) -> None:
        """Close the connections."""
        self.api.close()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

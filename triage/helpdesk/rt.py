"""Request Tracker 5 through its REST 2 API (``https://rt.example.com/REST/2.0/``).

Auth: an RT auth token (*Logged in as … → Settings → Auth Tokens*) in the header
``Authorization: token <TOKEN>``. A case's ticket carries the tag ``[grapevine-case-<id>]``
in its subject; :meth:`RtClient.find_ticket` finds it with TicketSQL, so creating it again
after a crash finds the first one instead.

Statuses (RT's default lifecycle): new, open → open; stalled → pending; resolved → solved;
rejected, deleted → closed.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from triage.helpdesk.base import TicketRef, TicketState, TicketStatus
from triage.helpdesk.http import JsonApi, is_ours, requester, ticket_body, ticket_subject

STATUS: dict[str, TicketStatus] = {
    "new": "open",
    "open": "open",
    "stalled": "pending",
    "resolved": "solved",
    "rejected": "closed",
    "deleted": "closed",
}


def rt_time(value: Any) -> datetime | None:
    """RT's ``2026-12-01T13:48:58Z`` (its 1970 'not set' as None)."""
    if not isinstance(value, str) or value.startswith("1970-01-01"):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


class RtClient:
    """One RT queue."""

    kind = "rt"

    def __init__(self, url: str, *, token: str, queue: str = "General", timeout: float = 20):
        self.api = JsonApi(
            url, name="RT", timeout=timeout, headers={"Authorization": f"token {token}"}
        )
        self.queue = queue
        self.web = url.rstrip("/").removesuffix("/REST/2.0").rstrip("/")

    def link(self, ticket_id: str) -> str:
        """The ticket's page in RT's web interface."""
        return f"{self.web}/Ticket/Display.html?id={ticket_id}"

    def find_ticket(self, external_id: str) -> TicketRef | None:
        """The queue's ticket whose subject carries ``[external_id]``."""
        tag = f"[{external_id}]"
        queue = self.queue.replace("'", "\\'")
        found = self.api.call(
            "GET",
            "tickets",
            params={
                "query": f"Queue = '{queue}' AND Subject LIKE '{tag}'",
                "fields": "Subject",
                "orderby": "id",
                "order": "ASC",
            },
        )
        for item in (found or {}).get("items", []):
            if tag in str(item.get("Subject", "")):  # LIKE is a substring match
                return TicketRef(str(item["id"]), self.link(str(item["id"])))
        return None

    def create_ticket(self, payload: Mapping[str, Any], *, external_id: str) -> TicketRef:
        """A ticket in the queue, the customer as requestor when the case has one."""
        body: dict[str, Any] = {
            "Queue": self.queue,
            "Subject": ticket_subject(payload, external_id),
            "Content": ticket_body(payload),
            "ContentType": "text/plain",
        }
        _name, email = requester(payload)
        if email:
            body["Requestor"] = email
        made = self.api.call("POST", "ticket", json=body)
        ticket_id = str(made["id"])
        return TicketRef(ticket_id, self.link(ticket_id))

    def ticket_state(self, ref: TicketRef, *, with_note: bool = True) -> TicketState:
        """Status, last update and the newest comment or reply not written by Grapevine."""
        ticket = self.api.call("GET", f"ticket/{ref.ticket_id}")
        raw = str(ticket.get("Status", ""))
        return TicketState(
            status=STATUS.get(raw, "open"),
            raw_status=raw,
            updated_at=rt_time(ticket.get("LastUpdated")),
            last_note=self._last_note(ref.ticket_id) if with_note else None,
        )

    def _last_note(self, ticket_id: str) -> str | None:
        history = self.api.call(
            "GET", f"ticket/{ticket_id}/history", params={"fields": "Type", "per_page": 100}
        )
        notes = [i for i in (history or {}).get("items", []) if i.get("Type") in (
            "Comment", "Correspond")]  # fmt: skip
        for item in reversed(notes):
            parts = self.api.call(
                "GET", f"transaction/{item['id']}/attachments",
                params={"fields": "Content,ContentType"},
            )  # fmt: skip
            for part in (parts or {}).get("items", []):
                text = part.get("Content")
                if str(part.get("ContentType", "")).startswith("text/plain") and text:
                    text = str(text).strip()
                    if not is_ours(text):
                        return text
        return None

    def add_note(self, ref: TicketRef, text: str) -> None:
        """An internal comment on the ticket (not mailed to the requestor)."""
        self.api.call(
            "POST",
            f"ticket/{ref.ticket_id}/comment",
            json={"Content": text, "ContentType": "text/plain"},
        )

    def close(self) -> None:
        """Close the connections."""
        self.api.close()

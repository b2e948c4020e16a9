"""Answer Trustpilot reviews through Trustpilot's business API (where the company has a key).

Post and edit: ``POST /v1/private/reviews/{reviewId}/reply`` with ``{"authorBusinessUserId",
"message"}`` (one company reply per review; a new one replaces it); delete: ``DELETE
/v1/private/reviews/{reviewId}/reply``. The platform's id of the reply is the review's id;
:meth:`find_reply` reads the review's ``companyReply`` (``GET /v1/private/reviews/{reviewId}``).
Credentials: the API key and secret from the environment variables ``api_key_env`` and
``api_secret_env`` name (OAuth client credentials); ``business_user_id`` (not a secret) is the
Trustpilot business user the replies are posted as.
"""

from collections.abc import Mapping
from typing import Any

from triage.connectors.base import PostedReply, ReplyError, ReplyTarget, Visibility, register
from triage.connectors.owner_auth import (
    OwnerApiClient,
    base_url,
    check_credentials,
    token_provider,
)


class TrustpilotBusinessConnector:
    """Reply to, edit and delete company replies on Trustpilot reviews."""

    platform = "Trustpilot"
    can_private = False
    can_edit = True
    can_delete = True
    looks_for_replies = True

    def __init__(self, client: OwnerApiClient, business_user_id: str | None) -> None:
        self.client = client
        self.business_user_id = business_user_id

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Publish (or replace) the company reply."""
        if visibility not in ("public", "unlisted"):
            raise ReplyError("unsupported", "Trustpilot has no private replies to reviews")
        if not self.business_user_id:
            raise ReplyError("invalid", "the source has no business_user_id to post as")
        body = {"authorBusinessUserId": self.business_user_id, "message": text}
        path = f"/v1/private/reviews/{target.external_id}/reply"
        self.client.call("POST", path, "Trustpilot reply", body)
        return PostedReply(
            platform_id=target.external_id,
            url=target.url or f"https://www.trustpilot.com/reviews/{target.external_id}",
        )

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Replace the reply's text."""
        return self.post(target, text, visibility="public")

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The company's reply on the review (``GET /v1/private/reviews/{id}``), or ``None``."""
        try:
            answer = self.client.call(
                "GET", f"/v1/private/reviews/{target.external_id}", "Trustpilot review"
            )
        except ReplyError as exc:
            if exc.kind == "gone":
                return None
            raise
        reply = answer.get("companyReply") if isinstance(answer, dict) else None
        if not isinstance(reply, dict) or not (reply.get("text") or reply.get("message")):
            return None
        return PostedReply(
            platform_id=target.external_id,
            url=target.url or f"https://www.trustpilot.com/reviews/{target.external_id}",
            raw={"at": reply.get("updatedAt") or reply.get("createdAt")},
        )

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Remove the company reply."""
        path = f"/v1/private/reviews/{target.external_id}/reply"
        self.client.call("DELETE", path, "Trustpilot delete")


@register("trustpilot_business")
def connector(source: Mapping[str, Any], environ: Mapping[str, str]) -> TrustpilotBusinessConnector:
    """The Trustpilot business-API connector of a source's settings."""
    check_credentials(source, environ)
    client = OwnerApiClient(base_url(source), token_provider(source, environ))
    return TrustpilotBusinessConnector(client, source.get("business_user_id"))

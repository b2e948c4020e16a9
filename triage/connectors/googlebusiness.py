"""Answer Google reviews of the brand's locations through the Google Business Profile API.

Post and edit: ``PUT /v4/accounts/{a}/locations/{l}/reviews/{reviewId}/reply`` with
``{"comment": …}`` (``updateReply``: one owner reply per review, a new one replaces it); delete:
``DELETE …/reviews/{reviewId}/reply``. The review's full resource name
(``accounts/…/locations/…/reviews/…``) comes from the stored mention (``raw.name``), else from
the source's account and first location. No private replies. :meth:`find_reply` reads the
review's ``reviewReply``. Credentials: the service account's JSON key from the environment
variable ``service_account_env`` names.
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

#: ``ReviewReply.comment``: "The maximum length is 4096 bytes."
MAX_REPLY_BYTES = 4096


class GoogleBusinessConnector:
    """Reply to, edit and delete owner replies on Google Business Profile reviews."""

    platform = "Google Business Profile"
    can_private = False
    can_edit = True
    can_delete = True
    looks_for_replies = True

    def __init__(self, client: OwnerApiClient, account_id: str, location_ids: list[str]) -> None:
        self.client = client
        self.account_id = account_id
        self.location_ids = location_ids

    def review_name(self, target: ReplyTarget) -> str:
        """``accounts/{a}/locations/{l}/reviews/{id}`` of the review being answered."""
        name = target.raw.get("name") if target.raw else None
        if isinstance(name, str) and name.startswith("accounts/"):
            return name
        if not self.location_ids:
            raise ReplyError("invalid", "the source names no location for this review")
        return (
            f"accounts/{self.account_id}/locations/{self.location_ids[0]}"
            f"/reviews/{target.external_id}"
        )

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Publish (or replace) the owner reply."""
        if visibility not in ("public", "unlisted"):
            raise ReplyError("unsupported", "Google reviews have no private replies")
        if len(text.encode()) > MAX_REPLY_BYTES:
            raise ReplyError(
                "invalid", f"Google takes replies of at most {MAX_REPLY_BYTES} bytes (UTF-8)"
            )
        name = self.review_name(target)
        answer = self.client.call("PUT", f"/v4/{name}/reply", "Google reply", {"comment": text})
        return PostedReply(
            platform_id=name,
            url=target.url,
            raw={"at": answer.get("updateTime") if isinstance(answer, dict) else None},
        )

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Replace the reply's text."""
        return self.post(target, text, visibility="public")

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The owner's reply on the review (``reviews.get``), or ``None``."""
        name = self.review_name(target)
        try:
            answer = self.client.call("GET", f"/v4/{name}", "Google review")
        except ReplyError as exc:
            if exc.kind == "gone":
                return None
            raise
        reply = answer.get("reviewReply") if isinstance(answer, dict) else None
        if not isinstance(reply, dict) or not reply.get("comment"):
            return None
        return PostedReply(platform_id=name, url=target.url, raw={"at": reply.get("updateTime")})

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Remove the owner reply."""
        self.client.call("DELETE", f"/v4/{self.review_name(target)}/reply", "Google delete")


@register("googlebusiness")
def connector(source: Mapping[str, Any], environ: Mapping[str, str]) -> GoogleBusinessConnector:
    """The Google Business Profile connector of a source's settings."""
    check_credentials(source, environ)
    client = OwnerApiClient(base_url(source), token_provider(source, environ))
    locations = source.get("location_ids") or []
    if isinstance(locations, str):
        locations = [p.strip() for p in locations.split(",") if p.strip()]
    return GoogleBusinessConnector(client, str(source.get("account_id") or ""), list(locations))

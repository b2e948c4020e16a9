"""Answer Google Play reviews through the Google Play Developer API (``reviews.reply``).

Post and edit: ``POST /androidpublisher/v3/applications/{packageName}/reviews/{reviewId}:reply``
with ``{"replyText": …}`` — Google keeps one developer reply per review and a new one replaces
it, so the platform's id of the reply is the review's id. The API cannot delete a reply (that is
done in the Play Console) and has no private replies. :meth:`find_reply` reads the review
(``reviews.get``) for its developer comment. Credentials: the service account's JSON key from
the environment variable ``service_account_env`` names; see :mod:`owner_auth`.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from triage.connectors.base import PostedReply, ReplyError, ReplyTarget, Visibility, register
from triage.connectors.owner_auth import (
    OwnerApiClient,
    base_url,
    check_credentials,
    token_provider,
)

#: "Replies of more than approximately 350 characters will be rejected" (reviews.reply).
MAX_REPLY = 350


class GooglePlayConnector:
    """Reply to and edit replies on Google Play reviews."""

    platform = "Google Play"
    can_private = False
    can_edit = True
    can_delete = False
    looks_for_replies = True

    def __init__(self, client: OwnerApiClient, package_name: str) -> None:
        self.client = client
        self.package_name = package_name

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Publish (or replace) the developer reply to the review."""
        if visibility not in ("public", "unlisted"):
            raise ReplyError("unsupported", "Google Play has no private replies")
        if len(text) > MAX_REPLY:
            raise ReplyError(
                "invalid", f"Google Play takes replies of at most {MAX_REPLY} characters"
            )
        review = quote(target.external_id, safe="")
        path = f"/androidpublisher/v3/applications/{self.package_name}/reviews/{review}:reply"
        answer = self.client.call("POST", path, "Google Play reply", {"replyText": text})
        result = answer.get("result") if isinstance(answer, dict) else None
        edited = (result or {}).get("lastEdited") if isinstance(result, dict) else None
        return PostedReply(
            platform_id=target.external_id,
            url=target.url or f"https://play.google.com/store/apps/details?id={self.package_name}",
            raw={"last_edited": edited.get("seconds") if isinstance(edited, dict) else None},
        )

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Replace the reply's text (a new reply replaces the old one)."""
        return self.post(target, text, visibility="public")

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The developer's reply on the review (``reviews.get``), or ``None``."""
        review = quote(target.external_id, safe="")
        path = f"/androidpublisher/v3/applications/{self.package_name}/reviews/{review}"
        try:
            answer = self.client.call("GET", path, "Google Play review")
        except ReplyError as exc:
            if exc.kind == "gone":
                return None
            raise
        comments = answer.get("comments") if isinstance(answer, dict) else None
        for comment in comments or []:
            developer = comment.get("developerComment") if isinstance(comment, dict) else None
            if isinstance(developer, dict) and developer.get("text"):
                edited = developer.get("lastModified") or {}
                return PostedReply(
                    platform_id=target.external_id,
                    url=target.url,
                    raw={
                        "last_edited": edited.get("seconds") if isinstance(edited, dict) else None
                    },
                )
        return None

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Not possible through the API."""
        raise ReplyError(
            "unsupported", "Google Play replies cannot be deleted through the API (Play Console)"
        )


@register("googleplay")
def connector(source: Mapping[str, Any], environ: Mapping[str, str]) -> GooglePlayConnector:
    """The Google Play connector of a source's settings."""
    check_credentials(source, environ)
    client = OwnerApiClient(base_url(source), token_provider(source, environ))
    return GooglePlayConnector(client, str(source.get("package_name") or ""))

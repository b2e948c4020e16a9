"""Answer App Store reviews through the App Store Connect API (``customerReviewResponses``).

Post: ``POST /v1/customerReviewResponses`` with the review as the ``review`` relationship; the
platform's id of the reply is the response resource's id. The App Store keeps one response per
review, so an edit deletes the old response and posts the new text. Delete: ``DELETE
/v1/customerReviewResponses/{id}``. No private replies. :meth:`find_reply` reads the review's
response (``GET /v1/customerReviews/{id}/response``) for the daily job's "answered on the
platform". Credentials: the team key's id, the issuer id and the ``.p8`` key from the
environment variables the source names (``key_id_env``, ``issuer_id_env``, ``private_key_env``);
see :mod:`owner_auth`.
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


class AppStoreConnectConnector:
    """Reply, edit and delete App Store review responses."""

    platform = "App Store"
    can_private = False
    can_edit = True
    can_delete = True
    looks_for_replies = True

    def __init__(self, client: OwnerApiClient, app_id: str | None = None) -> None:
        self.client = client
        self.app_id = app_id

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Publish ``text`` as the developer response to the review."""
        if visibility not in ("public", "unlisted"):
            raise ReplyError("unsupported", "the App Store has no private replies")
        body = {
            "data": {
                "type": "customerReviewResponses",
                "attributes": {"responseBody": text},
                "relationships": {
                    "review": {"data": {"type": "customerReviews", "id": target.external_id}}
                },
            }
        }
        answer = self.client.call("POST", "/v1/customerReviewResponses", "App Store reply", body)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise ReplyError("unavailable", "App Store reply: no response id in the answer")
        attributes = data.get("attributes") or {}
        return PostedReply(
            platform_id=str(data["id"]),
            url=target.url or self.review_page(),
            raw={"state": attributes.get("state"), "at": attributes.get("lastModifiedDate")},
        )

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Replace the response: delete it (already gone is fine), then post ``text``."""
        try:
            self.delete(target, reply)
        except ReplyError as exc:
            if exc.kind != "gone":
                raise
        return self.post(target, text, visibility="public")

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Remove the developer response. When the id kept is no longer the review's response
        (an edit posts a new one; someone replaced it in App Store Connect), the review's
        current response is looked up (``GET /v1/customerReviews/{id}/response``) and deleted:
        a review has one response, the company's."""
        try:
            self._delete(reply.platform_id)
        except ReplyError as exc:
            if exc.kind != "gone":
                raise
            current = self.client.call(
                "GET", f"/v1/customerReviews/{target.external_id}/response", "App Store response"
            )
            data = current.get("data") if isinstance(current, dict) else None
            if not isinstance(data, dict) or not data.get("id"):
                raise
            self._delete(str(data["id"]))

    def _delete(self, response_id: str) -> None:
        self.client.call("DELETE", f"/v1/customerReviewResponses/{response_id}", "App Store delete")

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The review's response (``GET /v1/customerReviews/{id}/response``), or ``None``."""
        try:
            answer = self.client.call(
                "GET", f"/v1/customerReviews/{target.external_id}/response", "App Store response"
            )
        except ReplyError as exc:
            if exc.kind == "gone":  # no response (or no review any more)
                return None
            raise
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            return None
        attributes = data.get("attributes") or {}
        return PostedReply(
            platform_id=str(data["id"]),
            url=target.url or self.review_page(),
            raw={"at": attributes.get("lastModifiedDate"), "state": attributes.get("state")},
        )

    def review_page(self) -> str | None:
        """The app's public review page."""
        if not self.app_id:
            return None
        return f"https://apps.apple.com/app/id{self.app_id}?see-all=reviews"


@register("appstore_connect")
def connector(source: Mapping[str, Any], environ: Mapping[str, str]) -> AppStoreConnectConnector:
    """The App Store Connect connector of a source's settings."""
    check_credentials(source, environ)
    client = OwnerApiClient(base_url(source), token_provider(source, environ))
    return AppStoreConnectConnector(client, app_id=source.get("app_id"))

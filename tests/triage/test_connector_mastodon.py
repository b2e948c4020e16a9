"""The Mastodon reply connector against a local server speaking the documented API."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.fake_mastodon import Failure, fake_mastodon
from triage.connectors.base import PostedReply, ReplyError, ReplyTarget, connector_for
from triage.connectors.mastodon import MastodonConnector

ENV = {"LARKWOOD_MASTODON_TOKEN": "test-token"}


def settings(base_url: str, **extra: str) -> dict[str, str]:
    return {
        "type": "mastodon",
        "base_url": base_url,
        "token_env": "LARKWOOD_MASTODON_TOKEN",
        **extra,
    }


def target_for(status: dict, key: str | None = None) -> ReplyTarget:
    return ReplyTarget(
        source_type="mastodon",
        external_id=status["uri"],
        url=status["url"],
        author_handle=f"{status['account']['acct']}@127.0.0.1",
        raw={"id": status["id"], "in_reply_to_id": None},
        idempotency_key=key,
    )


def test_a_reply_is_a_status_in_reply_to_the_mention_with_the_chosen_visibility() -> None:
    with fake_mastodon() as server:
        said = server.add_status("@larkwood my parcel is two weeks late")
        connector = connector_for(settings(server.base_url), ENV)
        assert connector is not None and connector.can_private and connector.can_edit
        posted = connector.post(target_for(said, "k-1"), "Sorry! DM us.", visibility="direct")
        request = server.seen[-1]
        assert request.method == "POST" and request.path == "/api/v1/statuses"
        assert request.headers["authorization"] == "Bearer test-token"
        assert request.headers["idempotency-key"] == "k-1"
        assert request.body["in_reply_to_id"] == said["id"]
        assert request.body["visibility"] == "direct"
        # the author is mentioned (Mastodon shows a direct reply to the people mentioned only)
        assert request.body["status"] == "@alice@127.0.0.1 Sorry! DM us."
        made = server.statuses[posted.platform_id]
        assert made["in_reply_to_id"] == said["id"] and made["visibility"] == "direct"
        assert posted.url == made["url"]


def test_the_same_idempotency_key_does_not_post_twice() -> None:
    with fake_mastodon() as server:
        said = server.add_status("late again")
        connector = connector_for(settings(server.base_url), ENV)
        assert connector is not None
        first = connector.post(target_for(said, "same"), "We are on it", visibility="public")
        again = connector.post(target_for(said, "same"), "We are on it", visibility="public")
        assert first.platform_id == again.platform_id
        assert sum(1 for s in server.statuses.values() if s["in_reply_to_id"] == said["id"]) == 1


def test_edit_and_delete_our_reply() -> None:
    with fake_mastodon() as server:
        said = server.add_status("late again")
        connector = connector_for(settings(server.base_url), ENV)
        assert connector is not None
        posted = connector.post(target_for(said), "First words", visibility="public")
        connector.edit(target_for(said), posted, "Better words")
        assert server.seen[-1].method == "PUT"
        assert server.seen[-1].path == f"/api/v1/statuses/{posted.platform_id}"
        assert server.statuses[posted.platform_id]["content"] == "<p>Better words</p>"
        connector.delete(target_for(said), posted)
        assert server.seen[-1].method == "DELETE"
        assert posted.platform_id not in server.statuses
        with pytest.raises(ReplyError) as gone:
            connector.delete(target_for(said), posted)
        assert gone.value.kind == "gone"


def test_the_errors_come_back_as_kinds_a_responder_can_act_on() -> None:
    with fake_mastodon() as server:
        said = server.add_status("late")
        connector = connector_for(settings(server.base_url), {"LARKWOOD_MASTODON_TOKEN": "old"})
        assert connector is not None
        with pytest.raises(ReplyError) as auth:
            connector.post(target_for(said), "hello", visibility="public")
        assert auth.value.kind == "auth" and "access token is invalid" in auth.value.message
        good = connector_for(settings(server.base_url), ENV)
        assert good is not None
        deleted = {**said, "id": "999"}
        with pytest.raises(ReplyError) as gone:
            good.post(target_for(deleted), "hello", visibility="public")
        assert gone.value.kind == "gone"
        reset = (datetime.now(UTC) + timedelta(seconds=300)).isoformat()
        server.fail_next.append(Failure(429, "Too many requests", {"X-RateLimit-Reset": reset}))
        with pytest.raises(ReplyError) as limited:
            good.post(target_for(said), "hello", visibility="public")
        assert limited.value.kind == "rate_limited"
        assert limited.value.retry_after is not None and 290 <= limited.value.retry_after <= 300
        server.fail_next.append(Failure(429, "Too many requests", {"Retry-After": "42"}))
        with pytest.raises(ReplyError) as again:
            good.post(target_for(said), "hello", visibility="public")
        assert again.value.retry_after == 42
        server.fail_next.append(Failure(403, "This action is not allowed"))
        with pytest.raises(ReplyError) as forbidden:
            good.post(target_for(said), "hello", visibility="public")
        assert forbidden.value.kind == "forbidden"
        with pytest.raises(ReplyError) as invalid:
            good.post(target_for(said), "x" * 501, visibility="public")
        assert invalid.value.kind == "invalid" and "500" in invalid.value.message


def test_a_server_that_does_not_answer_is_unavailable() -> None:
    with fake_mastodon() as server:
        base = server.base_url
    connector = connector_for(settings(base), ENV)
    assert connector is not None
    target = ReplyTarget(source_type="mastodon", external_id="x", raw={"id": "1"})
    with pytest.raises(ReplyError) as down:
        connector.post(target, "hello", visibility="public")
    assert down.value.kind == "unavailable"


def test_the_token_comes_from_the_named_environment_variable() -> None:
    with pytest.raises(ReplyError) as missing:
        connector_for(settings("http://127.0.0.1:9"), {})
    assert missing.value.kind == "auth" and "LARKWOOD_MASTODON_TOKEN" in missing.value.message


def test_the_brand_accounts_reply_in_the_thread_is_found() -> None:
    with fake_mastodon() as server:
        said = server.add_status("late")
        other = server.add_status("me too", username="bob", in_reply_to_id=said["id"])
        connector = connector_for(settings(server.base_url, account="@larkwood"), ENV)
        assert isinstance(connector, MastodonConnector)
        finder = connector.find_reply
        assert finder(target_for(said)) is None
        ours = server.add_status("So sorry", username="larkwood", in_reply_to_id=said["id"])
        found = finder(target_for(said))
        assert isinstance(found, PostedReply) and found.platform_id == ours["id"]
        assert other["id"] != ours["id"]

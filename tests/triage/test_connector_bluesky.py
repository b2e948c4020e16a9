"""The Bluesky reply connector against a local PDS speaking the documented XRPC."""

import pytest

from tests.helpers.fake_bluesky import DID, FakeBluesky
from triage.connectors.base import PostedReply, ReplyError, ReplyTarget, connector_for
from triage.connectors.bluesky import BlueskyConnector

ENV = {"BSKY_HANDLE": "larkwood.bsky.social", "BSKY_APP_PASSWORD": "app-pass-1234"}


def settings(base_url: str) -> dict[str, str]:
    return {
        "type": "bluesky",
        "base_url": base_url,
        "handle_env": "BSKY_HANDLE",
        "password_env": "BSKY_APP_PASSWORD",
    }


def target_for(post: dict) -> ReplyTarget:
    # what the bluesky spider keeps in the mention's raw payload
    return ReplyTarget(
        source_type="bluesky",
        external_id=post["uri"],
        raw={"uri": post["uri"], "cid": post["cid"], "did": post["author"]["did"]},
    )


def test_a_reply_to_a_top_level_post_has_it_as_root_and_parent() -> None:
    with FakeBluesky() as pds:
        said = pds.add_post("larkwood lost my parcel")
        connector = connector_for(settings(pds.base_url), ENV)
        assert connector is not None
        assert not connector.can_private and not connector.can_edit and connector.can_delete
        posted = connector.post(target_for(said), "So sorry, DM us", visibility="public")
        session, create = pds.seen[0], pds.seen[-1]
        assert session.nsid == "com.atproto.server.createSession"
        assert session.body == {"identifier": "larkwood.bsky.social", "password": "app-pass-1234"}
        assert create.nsid == "com.atproto.repo.createRecord"
        assert create.headers["authorization"] == "Bearer access-1"
        assert create.body["repo"] == DID and create.body["collection"] == "app.bsky.feed.post"
        record = create.body["record"]
        assert record["$type"] == "app.bsky.feed.post" and record["text"] == "So sorry, DM us"
        ref = {"uri": said["uri"], "cid": said["cid"]}
        assert record["reply"] == {"root": ref, "parent": ref}
        assert [p["uri"] for p in pds.replies_to(said["uri"])] == [posted.platform_id]
        assert posted.url and posted.url.startswith(
            "https://bsky.app/profile/larkwood.bsky.social/"
        )


def test_a_reply_to_a_reply_keeps_the_threads_root() -> None:
    with FakeBluesky() as pds:
        top = pds.add_post("who else has a late larkwood parcel?", handle="bob.bsky.social")
        top_ref = {"uri": top["uri"], "cid": top["cid"]}
        said = pds.add_post("me, 3 weeks", reply={"root": top_ref, "parent": top_ref})
        connector = connector_for(settings(pds.base_url), ENV)
        assert connector is not None
        connector.post(target_for(said), "Sorry! DM us", visibility="public")
        reply = pds.seen[-1].body["record"]["reply"]
        assert reply["root"] == top_ref
        assert reply["parent"] == {"uri": said["uri"], "cid": said["cid"]}


def test_delete_removes_the_record_and_edit_is_not_possible() -> None:
    with FakeBluesky() as pds:
        said = pds.add_post("late")
        connector = connector_for(settings(pds.base_url), ENV)
        assert connector is not None
        posted = connector.post(target_for(said), "Sorry", visibility="public")
        with pytest.raises(ReplyError) as edit:
            connector.edit(target_for(said), posted, "Other")
        assert edit.value.kind == "unsupported"
        connector.delete(target_for(said), posted)
        delete = pds.seen[-1]
        assert delete.nsid == "com.atproto.repo.deleteRecord"
        assert delete.body["rkey"] == posted.platform_id.rsplit("/", 1)[-1]
        assert posted.platform_id not in pds.posts
        with pytest.raises(ReplyError) as private:
            connector.post(target_for(said), "psst", visibility="direct")
        assert private.value.kind == "unsupported"


def test_the_errors_come_back_as_kinds_a_responder_can_act_on() -> None:
    with FakeBluesky() as pds:
        said = pds.add_post("late")
        wrong = connector_for(settings(pds.base_url), {**ENV, "BSKY_APP_PASSWORD": "nope"})
        assert wrong is not None
        with pytest.raises(ReplyError) as auth:
            wrong.post(target_for(said), "hi", visibility="public")
        assert auth.value.kind == "auth" and "Invalid identifier or password" in auth.value.message
        connector = connector_for(settings(pds.base_url), ENV)
        assert connector is not None
        connector.post(target_for(said), "hi", visibility="public")
        pds.expire_tokens()
        with pytest.raises(ReplyError) as expired:
            connector.post(target_for(said), "hi again", visibility="public")
        assert expired.value.kind == "auth" and "expired" in expired.value.message
        fresh = connector_for(settings(pds.base_url), ENV)
        assert fresh is not None
        pds.fail_next.append(pds.rate_limited(120))
        with pytest.raises(ReplyError) as limited:
            fresh.post(target_for(said), "hi", visibility="public")
        assert limited.value.kind == "rate_limited"
        assert limited.value.retry_after is not None and 110 <= limited.value.retry_after <= 120
        del pds.posts[said["uri"]]
        with pytest.raises(ReplyError) as gone:
            fresh.post(target_for(said), "hi", visibility="public")
        assert gone.value.kind == "gone"
        with pytest.raises(ReplyError) as long:
            fresh.post(target_for(said), "x" * 301, visibility="public")
        assert long.value.kind == "invalid"


def test_the_account_comes_from_the_named_environment_variables() -> None:
    with pytest.raises(ReplyError) as missing:
        connector_for(settings("http://127.0.0.1:9"), {"BSKY_HANDLE": "x"})
    assert missing.value.kind == "auth" and "BSKY_APP_PASSWORD" in missing.value.message
    assert isinstance(PostedReply("at://x/y/z"), PostedReply)


def test_the_accounts_own_reply_under_a_post_is_found() -> None:
    with FakeBluesky() as pds:
        said = pds.add_post("larkwood lost my parcel")
        connector = connector_for(settings(pds.base_url), ENV)
        assert isinstance(connector, BlueskyConnector) and connector.looks_for_replies
        finder = connector.find_reply
        pds.add_post(
            "same here",
            handle="bob.bsky.social",
            reply={
                "root": {"uri": said["uri"], "cid": said["cid"]},
                "parent": {"uri": said["uri"], "cid": said["cid"]},
            },
        )
        assert finder(target_for(said)) is None
        ours = pds.add_post(
            "So sorry!",
            did=DID,
            handle="larkwood.bsky.social",
            reply={
                "root": {"uri": said["uri"], "cid": said["cid"]},
                "parent": {"uri": said["uri"], "cid": said["cid"]},
            },
        )
        found = finder(target_for(said))
        assert found is not None and found.platform_id == ours["uri"]
        thread = pds.seen[-1]
        assert thread.nsid == "app.bsky.feed.getPostThread" and thread.query["uri"] == [said["uri"]]

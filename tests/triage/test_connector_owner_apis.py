"""The owner-API reply connectors against a local server playing the four platforms.

The server checks the credentials for real (App Store JWTs verified with the test key pair's
public key, Google assertions verified before a token is issued, Trustpilot's Basic key and
secret), and answers in each platform's own error shapes.
"""

import json
import pickle
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from helpers.cases import mention, seed_cases
from helpers.fake_owner_apis import FakeOwnerApis, OwnerKeys, make_keys, seed, source
from sqlalchemy import Engine

import triage.connectors.appstore_connect
import triage.connectors.googlebusiness
import triage.connectors.googleplay
import triage.connectors.trustpilot_business  # noqa: F401  (each registers its connector)
from storage.casefile import case_file
from storage.types import utcnow
from triage.connectors.base import (
    REGISTRY,
    Connector,
    ReplyError,
    ReplyTarget,
    connector_for,
    has_connector,
)
from triage.connectors.owner_auth import GoogleServiceAccountToken, token_provider
from triage.replies import delete_reply, edit_reply, post_reply
from triage.replies_found import record_platform_answers

KINDS = ["appstore_connect", "googleplay", "googlebusiness", "trustpilot_business"]
PLATFORM = {
    "appstore_connect": "apple",
    "googleplay": "play",
    "googlebusiness": "business",
    "trustpilot_business": "trustpilot",
}
REVIEW = {
    "appstore_connect": "apple-3",
    "googleplay": "gp:3",
    "googlebusiness": "g3",
    "trustpilot_business": f"{3:024x}",
}


@pytest.fixture(scope="module")
def keys() -> OwnerKeys:
    return make_keys()


@pytest.fixture
def api(keys: OwnerKeys) -> Iterator[FakeOwnerApis]:
    with FakeOwnerApis(keys.credentials) as server:
        seed(server)
        yield server


def connector(kind: str, api: FakeOwnerApis, keys: OwnerKeys, **extra: object) -> Connector:
    return REGISTRY[kind](source(kind, api, **extra), keys.environ(api))


def target(kind: str, review: str | None = None) -> ReplyTarget:
    review = review or REVIEW[kind]
    raw = {"name": f"accounts/1098765/locations/4455/reviews/{review}"}
    return ReplyTarget(
        source_type=kind, external_id=review, raw=raw if kind == "googlebusiness" else {}
    )


def test_every_owner_api_has_a_connector() -> None:
    assert all(has_connector(kind) for kind in KINDS)


def test_app_store_posts_edits_and_deletes_the_documented_way(
    api: FakeOwnerApis, keys: OwnerKeys
) -> None:
    conn = connector("appstore_connect", api, keys)
    assert (conn.can_private, conn.can_edit, conn.can_delete) == (False, True, True)
    posted = conn.post(target("appstore_connect"), "Sorry — fixed in 2.1", visibility="public")
    (call,) = api.calls("POST", "/v1/customerReviewResponses")
    assert call.body == {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": "Sorry — fixed in 2.1"},
            "relationships": {"review": {"data": {"type": "customerReviews", "id": "apple-3"}}},
        }
    }
    token = call.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(
        token,
        keys.credentials.apple_public_key,
        algorithms=["ES256"],
        audience="appstoreconnect-v1",
    )
    assert claims["exp"] - claims["iat"] <= 20 * 60
    assert jwt.get_unverified_header(token)["kid"] == keys.credentials.apple_key_id
    assert posted.platform_id == api.state.apple_responses["apple-3"]["id"]
    assert posted.url == "https://apps.apple.com/app/id1234567890?see-all=reviews"

    edited = conn.edit(target("appstore_connect"), posted, "Fixed in 2.1.1")
    assert [c.method for c in api.log[-2:]] == ["DELETE", "POST"]  # one response per review
    assert api.log[-2].path == f"/v1/customerReviewResponses/{posted.platform_id}"
    assert api.state.apple_responses["apple-3"]["attributes"]["responseBody"] == "Fixed in 2.1.1"

    conn.delete(target("appstore_connect"), edited)
    assert "apple-3" not in api.state.apple_responses
    with pytest.raises(ReplyError) as private:
        conn.post(target("appstore_connect"), "psst", visibility="direct")
    assert private.value.kind == "unsupported"


def test_google_play_replies_with_one_cached_token(api: FakeOwnerApis, keys: OwnerKeys) -> None:
    conn = connector("googleplay", api, keys)
    first = conn.post(target("googleplay"), "We refunded you", visibility="public")
    conn.edit(target("googleplay"), first, "We refunded you today")
    assert len(api.calls("POST", "/token")) == 1  # the access token is cached
    replies = api.calls(
        "POST", "/androidpublisher/v3/applications/com.calo.app/reviews/gp%3A3:reply"
    )  # the id is escaped
    assert [c.body for c in replies] == [
        {"replyText": "We refunded you"},
        {"replyText": "We refunded you today"},
    ]
    assert first.platform_id == "gp:3"
    review = next(r for r in api.state.play if r["reviewId"] == "gp:3")
    assert review["comments"][-1]["developerComment"]["text"] == "We refunded you today"
    with pytest.raises(ReplyError) as gone:
        conn.delete(target("googleplay"), first)
    assert gone.value.kind == "unsupported" and not conn.can_delete
    with pytest.raises(ReplyError) as long:
        conn.post(target("googleplay"), "x" * 351, visibility="public")
    assert long.value.kind == "invalid" and "350" in long.value.message
    assert len(api.calls("POST", "/androidpublisher/")) == 2  # nothing sent
    again = connector("googleplay", api, keys)  # the next press of a button: the same token
    again.post(target("googleplay"), "Still on it", visibility="public")
    assert len(api.calls("POST", "/token")) == 1


def test_google_business_puts_and_deletes_the_reply(api: FakeOwnerApis, keys: OwnerKeys) -> None:
    conn = connector("googlebusiness", api, keys)
    posted = conn.post(target("googlebusiness"), "Thanks, Sam", visibility="public")
    path = "/v4/accounts/1098765/locations/4455/reviews/g3/reply"
    (put,) = api.calls("PUT", path)
    assert put.body == {"comment": "Thanks, Sam"}
    assert posted.platform_id == "accounts/1098765/locations/4455/reviews/g3"
    conn.delete(target("googlebusiness"), posted)
    assert len(api.calls("DELETE", path)) == 1
    assert "reviewReply" not in api.state.business["4455"][3]


def test_trustpilot_posts_as_the_business_user(api: FakeOwnerApis, keys: OwnerKeys) -> None:
    conn = connector("trustpilot_business", api, keys)
    review = REVIEW["trustpilot_business"]
    posted = conn.post(target("trustpilot_business"), "We are on it", visibility="public")
    (call,) = api.calls("POST", f"/v1/private/reviews/{review}/reply")
    assert call.body == {
        "authorBusinessUserId": "5b3c8e9f0a1b2c3d4e5f0001",
        "message": "We are on it",
    }
    assert posted.url == f"https://www.trustpilot.com/reviews/{review}"
    conn.delete(target("trustpilot_business"), posted)
    assert len(api.calls("DELETE", f"/v1/private/reviews/{review}/reply")) == 1
    no_user = connector("trustpilot_business", api, keys, business_user_id=None)
    with pytest.raises(ReplyError) as invalid:
        no_user.post(target("trustpilot_business"), "x", visibility="public")
    assert invalid.value.kind == "invalid"


@pytest.mark.parametrize("kind", KINDS)
def test_errors_map_to_what_a_responder_can_act_on(
    kind: str, api: FakeOwnerApis, keys: OwnerKeys
) -> None:
    conn = connector(kind, api, keys)
    platform = PLATFORM[kind]

    def fails(review: str | None = None) -> ReplyError:
        with pytest.raises(ReplyError) as caught:
            conn.post(target(kind, review), "Sorry about that", visibility="public")
        return caught.value

    api.fail(platform, 403)
    forbidden = fails()
    assert forbidden.kind == "forbidden" and "403" in forbidden.message
    api.fail(platform, 429, retry_after=30)
    limited = fails()
    assert limited.kind == "rate_limited" and limited.retry_after == 30.0
    api.state.deleted.add(REVIEW[kind])
    assert fails().kind == "gone"
    api.state.deleted.clear()
    api.fail(platform, 401)  # an expired token: one fresh token, then the post goes through
    conn.post(target(kind), "Sorry about that", visibility="public")
    api.fail(platform, 401)
    api.fail(platform, 401)
    refused = fails()
    assert refused.kind == "auth"


def test_refused_and_missing_credentials_are_auth_errors(
    api: FakeOwnerApis, keys: OwnerKeys
) -> None:
    env = keys.environ(api) | {"TP_API_SECRET": "wrong"}
    tp = REGISTRY["trustpilot_business"](source("trustpilot_business", api), env)
    with pytest.raises(ReplyError) as refused:
        tp.post(target("trustpilot_business"), "x", visibility="public")
    assert refused.value.kind == "auth" and "Invalid ApiKey" in refused.value.message
    env = {k: v for k, v in keys.environ(api).items() if k != "ASC_P8"}
    with pytest.raises(ReplyError) as missing:
        connector_for(source("appstore_connect", api), env)
    assert missing.value.kind == "auth"
    assert missing.value.message == "environment variable ASC_P8 (private_key_env) is not set"
    other = make_keys()  # a key the platform does not know
    env = keys.environ(api) | {"ASC_P8": other.apple_p8}
    wrong = REGISTRY["appstore_connect"](source("appstore_connect", api), env)
    with pytest.raises(ReplyError) as unsigned:
        wrong.post(target("appstore_connect"), "x", visibility="public")
    assert unsigned.value.kind == "auth"
    assert "apple-3" not in api.state.apple_responses


def test_a_token_exchange_has_a_total_deadline(keys: OwnerKeys, api: FakeOwnerApis) -> None:
    """A token endpoint that accepts and never answers holds the caller ``timeout`` s, no more."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def hold() -> None:
        conn, _ = listener.accept()
        accepted.append(conn)

    threading.Thread(target=hold, daemon=True).start()
    env = keys.environ(api)
    info = json.loads(env["GOOGLE_SA_JSON"])
    info["token_uri"] = f"http://127.0.0.1:{listener.getsockname()[1]}/token"
    provider = GoogleServiceAccountToken(key_json=json.dumps(info), scope="s", timeout=1.0)
    started = time.monotonic()
    with pytest.raises(ReplyError) as slow:
        provider()
    assert slow.value.kind == "unavailable" and "timed out" in slow.value.message
    assert time.monotonic() - started < 3
    for conn in accepted:
        conn.close()
    listener.close()


def test_providers_pickle_without_their_token(api: FakeOwnerApis, keys: OwnerKeys) -> None:
    provider = token_provider(source("googleplay", api), keys.environ(api))
    first = provider()
    again = pickle.loads(pickle.dumps(provider))  # noqa: S301 (our own bytes)
    assert "ya29" not in repr(again) and again._token is None
    assert again() != first and again() == again()  # a new token, then cached


def test_a_responder_answers_an_app_store_review_from_the_case(
    api: FakeOwnerApis, keys: OwnerKeys, engine: Engine
) -> None:
    """Through the reply policy the case page calls: posted as documented, on the timeline,
    the first response; edited and deleted; a deleted review keeps the draft and says why."""
    row = mention(
        "apple-3", source="own-appstore_connect", source_type="appstore_connect",
        url="https://apps.apple.com/app/id1234567890?see-all=reviews", raw={"id": "apple-3"},
    )  # fmt: skip
    gone = mention("apple-4", source="own-appstore_connect", source_type="appstore_connect")
    case_id, gone_id = seed_cases(engine, [row, gone], now=utcnow())
    common: dict[str, Any] = {
        "actor": "dana",
        "sources": {"own-appstore_connect": source("appstore_connect", api)},
        "environ": keys.environ(api),
    }
    posted = post_reply(engine, case_id=case_id, text="Fixed in 2.1", visibility="public", **common)
    assert posted.ok, posted.message
    (call,) = api.calls("POST", "/v1/customerReviewResponses")
    assert call.body["data"]["relationships"]["review"]["data"]["id"] == "apple-3"
    assert posted.reply is not None
    assert posted.reply.platform_id == api.state.apple_responses["apple-3"]["id"]
    cf = case_file(engine, case_id)
    assert cf is not None and cf.case.first_action_at is not None
    assert cf.case.action_taken == "public reply"
    rid = posted.reply.id or 0
    edited = edit_reply(engine, reply_id=rid, text="Fixed in 2.1.1", **common)
    assert edited.ok, edited.message
    assert api.state.apple_responses["apple-3"]["attributes"]["responseBody"] == "Fixed in 2.1.1"
    deleted = delete_reply(engine, reply_id=rid, **common)
    assert deleted.ok, deleted.message
    assert "apple-3" not in api.state.apple_responses
    api.state.deleted.add("apple-4")
    failed = post_reply(engine, case_id=gone_id, text="Sorry", visibility="public", **common)
    assert not failed.ok and failed.reply is not None and failed.reply.state == "failed"
    assert "deleted" in failed.message.lower(), failed.message


ANSWERED = {  # review 1 of the seed carries the company's answer on each platform
    "appstore_connect": "apple-1",
    "googleplay": "gp:1",
    "googlebusiness": "g1",
    "trustpilot_business": f"{1:024x}",
}


@pytest.mark.parametrize("kind", KINDS)
def test_find_reply_reads_the_company_answer_on_the_platform(
    kind: str, api: FakeOwnerApis, keys: OwnerKeys
) -> None:
    conn = connector(kind, api, keys)
    assert getattr(conn, "looks_for_replies", False)
    found = conn.find_reply(target(kind, ANSWERED[kind]))  # type: ignore[attr-defined]
    assert found is not None and found.platform_id
    assert conn.find_reply(target(kind)) is None  # type: ignore[attr-defined]
    api.state.deleted.add(ANSWERED[kind])
    assert conn.find_reply(target(kind, ANSWERED[kind])) is None  # type: ignore[attr-defined]
    api.fail(PLATFORM[kind], 429, retry_after=5)
    with pytest.raises(ReplyError) as limited:
        conn.find_reply(target(kind))  # type: ignore[attr-defined]
    assert limited.value.kind == "rate_limited"


def test_the_daily_job_finds_an_answer_made_in_app_store_connect(
    api: FakeOwnerApis, keys: OwnerKeys, engine: Engine
) -> None:
    """An answer given in App Store Connect to a review older than any crawl re-reads."""
    row = mention(
        "apple-3", source="own-asc", source_type="appstore_connect", raw={"id": "apple-3"}
    )
    [case_id] = seed_cases(engine, [row], now=utcnow())
    sources = {"own-asc": source("appstore_connect", api, name="own-asc")}
    first = record_platform_answers(engine, sources=sources, environ=keys.environ(api))
    assert first.marked == [] and first.problems == []
    api.state.apple_responses["apple-3"] = {
        "type": "customerReviewResponses",
        "id": "resp-asc",
        "attributes": {
            "responseBody": "Answered in ASC",
            "lastModifiedDate": "2026-12-01T10:00:00Z",
        },
    }
    found = record_platform_answers(engine, sources=sources, environ=keys.environ(api))
    assert found.marked == [case_id], found
    cf = case_file(engine, case_id)
    assert cf is not None and cf.case.first_action_at is not None

"""The brand account's Mastodon mentions (notifications), against the local Mastodon API."""

from helpers.crawl import crawl

from tests.helpers.fake_mastodon import fake_mastodon


def source(base: str, token: str = "test-token") -> dict[str, object]:  # noqa: S107
    return {
        "name": "brand-mentions",
        "type": "mastodon_notifications",
        "base_url": base,
        "token": token,
        "account": "larkwood",
    }


def test_the_accounts_mentions_are_read_page_by_page_with_their_status_ids() -> None:
    with fake_mastodon() as server:
        for n in range(45):
            server.mention(server.add_status(f"@larkwood order {n} never came", username=f"u{n}"))
        server.notifications.append({"id": "999", "type": "follow", "account": {}, "status": None})
        [result] = crawl([source(server.base_url)])
        asked = [s for s in server.seen if s.path.startswith("/api/v1/notifications")]
    assert result["status"] == "ok", result["error"]
    assert len(asked) == 2
    assert all("types%5B%5D=mention" in s.path for s in asked)
    assert all(s.headers["authorization"] == "Bearer test-token" for s in asked)
    assert "max_id=" not in asked[0].path and "max_id=6" in asked[1].path
    items = result["items"]
    assert len(items) == 45
    by_text = {i["text"]: i for i in items}
    first = by_text["@larkwood order 0 never came"]
    status = server.notifications[0]["status"]
    assert first["raw"]["id"] == status["id"]  # what a reply's in_reply_to_id needs
    assert first["external_id"] == status["uri"] and first["url"] == status["url"]
    assert first["source_type"] == "mastodon_notifications"


def test_a_refused_token_is_a_problem_not_a_quiet_day() -> None:
    with fake_mastodon() as server:
        server.mention(server.add_status("@larkwood hello"))
        [result] = crawl([source(server.base_url, token="wrong")])
    assert result["status"] != "ok"
    assert "read:notifications" in (result["error"] or "")


def test_a_mention_of_the_account_links_to_the_customer_with_that_mastodon_handle() -> None:
    from sentiment.linking import CustomerIndex, CustomerRecord, MentionRecord

    index = CustomerIndex([CustomerRecord(7, handles={"mastodon": "anna@example.social"})])
    mention = MentionRecord(
        1, "@larkwood hi", "Anna", "anna@example.social", "mastodon_notifications"
    )
    [link] = index.link(mention)
    assert link.customer_id == 7 and link.confidence >= 0.95

"""Linking finds the customer behind a mention: strong evidence confirms, weak suggests."""

from sentiment.linking import (
    CustomerIndex,
    CustomerRecord,
    MentionRecord,
    normalize_handle,
    normalize_phone,
)

MARIA = CustomerRecord(
    1,
    name="Maria Lopez",
    email="maria.lopez@example.com",
    phone="+44 7700 900101",
    handles={"twitter": "@MariaLopez", "reddit": "u/maria_l"},
    orders=["LW-204518"],
)
OTHERS = [
    CustomerRecord(2, name="Mario Lopes"),
    CustomerRecord(3, name="Ben Carter", email="shared@example.com"),
    CustomerRecord(4, name="Jo Carter", email="shared@example.com"),
]


def index(**kwargs: object) -> CustomerIndex:
    return CustomerIndex([MARIA, *OTHERS], order_pattern=r"\b(LW-\d{6})\b", **kwargs)  # type: ignore[arg-type]


def best(mention: MentionRecord, **kwargs: object):  # noqa: ANN201
    return index(**kwargs).link(mention)[0]


def test_handle_on_the_same_platform_confirms() -> None:
    link = best(MentionRecord(10, "meh", author="maria_l", platform="reddit"))
    assert (link.customer_id, link.method, link.confirmed) == (1, "handle", True)
    assert link.confidence >= 0.95 and "reddit handle maria_l" in link.evidence


def test_the_same_handle_elsewhere_only_suggests() -> None:
    link = best(MentionRecord(10, "hi", author="MariaLopez", platform="mastodon"))
    assert link.method == "handle elsewhere" and not link.confirmed
    assert "their twitter handle" in link.evidence


def test_email_phone_and_order_number_in_the_text_confirm() -> None:
    by_email = best(MentionRecord(10, "write to MARIA.LOPEZ@example.com please"))
    by_phone = best(MentionRecord(11, "call me back on 07700 900101, nobody did"))
    by_order = best(MentionRecord(12, "Order LW-204518 never came"))
    for link, method in ((by_email, "email"), (by_phone, "phone"), (by_order, "order")):
        assert (link.customer_id, link.method, link.confirmed) == (1, method, True)
    assert "order LW-204518" in by_order.evidence


def test_a_similar_name_only_suggests_whatever_the_threshold() -> None:
    candidates = index(min_confidence=0.1).link(MentionRecord(10, "late again", "Maria Lopes"))
    assert [c.customer_id for c in candidates] == [1, 2] or {c.customer_id for c in candidates} == {
        1,
        2,
    }
    assert all(c.method == "name" and not c.confirmed for c in candidates)
    assert all(0.45 <= c.confidence <= 0.75 for c in candidates)
    assert any("similar name" in c.evidence for c in candidates)


def test_strong_and_weak_evidence_for_one_customer_make_one_candidate() -> None:
    [link] = [
        c
        for c in index().link(MentionRecord(10, "Order LW-204518", "Maria Lopez"))
        if c.customer_id == 1
    ]
    assert link.method == "order" and link.confirmed
    assert "order LW-204518" in link.evidence and "same name: Maria Lopez" in link.evidence


def test_evidence_shared_by_several_customers_only_suggests() -> None:
    links = index().link(MentionRecord(10, "from shared@example.com"))
    assert {c.customer_id for c in links} == {3, 4}
    assert all(not c.confirmed and "shared by 2 customers" in c.evidence for c in links)


def test_below_min_confidence_strong_evidence_suggests() -> None:
    link = best(MentionRecord(10, "call 07700 900101"), min_confidence=0.95)
    assert link.method == "phone" and not link.confirmed


def test_no_evidence_no_candidate() -> None:
    assert index().link(MentionRecord(10, "lovely coffee", "Someone Else", "anon", "feed")) == []


def test_normalisation() -> None:
    assert normalize_handle("https://www.reddit.com/user/Maria_L/") == "maria_l"
    assert normalize_handle("@Maria@mastodon.social") == "maria"
    assert normalize_phone("+44 (0)7700-900101") == normalize_phone("07700 900101")
    assert normalize_phone("12 34") is None


def test_names_in_either_order_and_with_a_typo() -> None:
    idx = CustomerIndex([CustomerRecord(1, name="Maria Lopez"), CustomerRecord(2, name="Ana Ruiz")])
    assert [c.customer_id for c in idx.link(MentionRecord(10, "", "Lopez Maria"))] == [1]
    assert [c.customer_id for c in idx.link(MentionRecord(11, "", "Mariah Lopez"))] == [1]
    assert idx.link(MentionRecord(12, "", "Maria")) == []  # one word is too weak to go on


def test_many_customers_many_mentions() -> None:
    customers = [
        CustomerRecord(i, name=f"Name{i} Family{i % 5000}", email=f"c{i}@example.com")
        for i in range(20_000)
    ]
    idx = CustomerIndex(customers)
    mentions = [MentionRecord(i, f"mail c{i * 7}@example.com") for i in range(2000)]
    links = idx.link_many(mentions)
    assert [link.customer_id for link in links] == [i * 7 for i in range(2000)]
    assert all(link.confirmed for link in links)

"""The owner-API spiders crawl a local server playing the four platforms, into a real database.

The sources come from a config through ``grapevine.wiring.source_specs``, which turns the
``*_env`` secrets into a token provider (the spiders sign nothing); the crawl runs in a child
process (the provider is pickled there), the server verifies every token.
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.crawl import crawl
from helpers.fake_owner_apis import SOURCES, FakeOwnerApis, OwnerKeys, iso, make_keys, seed
from sqlalchemy import Engine, select

from grapevine.config import parse_config
from grapevine.wiring import source_specs
from storage.models import Case, CrawlRun, Mention
from storage.types import utcnow
from triage.opening import open_cases
from triage.policy import TriagePolicy
from triage.replies_found import record_platform_answers

MENTION = Mention.__table__  # type: ignore[attr-defined]
CRAWL_RUN = CrawlRun.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
BRANDS = [{"name": "Calo", "terms": ["Calo"], "exclusions": [], "is_competitor": False}]
KINDS = list(SOURCES)
API_PATHS = {
    "appstore_connect": "/v1/apps/",
    "googleplay": "/androidpublisher/",
    "googlebusiness": "/v4/",
    "trustpilot_business": "/v1/private/",
}


@pytest.fixture(scope="module")
def keys() -> OwnerKeys:
    return make_keys()


@pytest.fixture
def api(keys: OwnerKeys) -> Iterator[FakeOwnerApis]:
    with FakeOwnerApis(keys.credentials, page_size=3) as server:
        seed(server, count=5)  # two pages on each platform
        yield server


def specs(api: FakeOwnerApis, env: dict[str, str], db_url: str) -> list[dict[str, Any]]:
    config = {
        "brand": {"name": "Calo", "terms": ["Calo"]},
        "database": {"url": db_url},
        "sources": [
            {"name": f"own-{kind}", "type": kind, "base_url": api.base_url, **SOURCES[kind]}
            for kind in KINDS
        ],
    }
    return source_specs(parse_config(config, Path("grapevine.toml"), env))


def stored(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                MENTION.c.source,
                MENTION.c.external_id,
                MENTION.c.title,
                MENTION.c.text,
                MENTION.c.reply_text,
                MENTION.c.rating,
            )
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        out.setdefault(row.source, {})[row.external_id] = row
    return out


def cases_by_review(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        found = conn.execute(
            select(MENTION.c.external_id, CASE.c.id).join(CASE, CASE.c.mention_id == MENTION.c.id)
        ).all()
    return {external: case_id for external, case_id in found}


def test_every_review_is_stored_once_with_the_company_reply(
    api: FakeOwnerApis, keys: OwnerKeys, engine: Engine, db_url: str
) -> None:
    env = keys.environ(api)
    sources = specs(api, env, db_url)
    assert all("token_provider" in s for s in sources)
    assert not any(v in map(str, s.values()) for s in sources for v in env.values())  # no secrets
    for platform in ("apple", "play", "business", "trustpilot"):
        api.fail(platform, 401)  # the first call of each: a fresh token, then the page again
    settings = {"GRAPEVINE_DATABASE_URL": db_url, "GRAPEVINE_BRANDS": BRANDS}
    results = {r["name"]: r for r in crawl(sources, settings)}
    for kind in KINDS:
        result = results[f"own-{kind}"]
        assert result["status"] == "ok", result
        gets = [c for c in api.calls("GET", API_PATHS[kind])]
        assert len(gets) == 3, kind  # the refused page, then its retry, then page 2
    # Apple's next link names Apple's host: the spider followed it on the base URL
    assert any("cursor=3" in c.path for c in api.calls("GET", "/v1/apps/"))
    rows = stored(engine)
    assert {k: len(v) for k, v in rows.items()} == {f"own-{kind}": 5 for kind in KINDS}
    assert rows["own-appstore_connect"]["apple-1"].reply_text == "Sorry, fixed in 2.1"
    assert rows["own-googleplay"]["gp:1"].reply_text == "We refunded you today"
    assert rows["own-googlebusiness"]["g1"].reply_text == "Thanks for telling us"
    assert rows["own-trustpilot_business"][f"{1:024x}"].reply_text == "We are on it"
    assert rows["own-googlebusiness"]["g4"].rating == 5.0  # "FIVE", and no comment:
    assert rows["own-googlebusiness"]["g4"].text == "(5-star rating without a comment)"
    play = rows["own-googleplay"]["gp:0"]  # "title<TAB>text"
    assert (play.title, play.text) == ("Slow refund", "Refund still missing after 0 weeks")
    assert rows["own-appstore_connect"]["apple-3"].reply_text is None

    open_cases(engine, TriagePolicy(competitor_cases=True), now=utcnow())
    case_of = cases_by_review(engine)
    assert "apple-3" in case_of and "g3" in case_of  # 1- and 4-star complaints: cases

    # the company answers review 3 on each platform outside Grapevine; one new review arrives
    now = time.time()
    s = api.state
    s.apple_responses["apple-3"] = {
        "type": "customerReviewResponses",
        "id": "resp-3",
        "attributes": {"responseBody": "Answered in ASC", "lastModifiedDate": iso(now)},
    }
    s.apple.insert(0, {**s.apple[4], "id": "apple-new"} | {"attributes": {
        **s.apple[4]["attributes"], "createdDate": iso(now)}})  # fmt: skip
    # Google Play promises no order: an old review first, a new one on the last page
    old, new = (json.loads(json.dumps(s.play[4])) for _ in range(2))
    old["reviewId"], new["reviewId"] = "gp:old", "gp:new"
    old["comments"][0]["userComment"]["lastModified"] = {"seconds": str(int(now) - 10 * 86400)}
    new["comments"][0]["userComment"]["lastModified"] = {"seconds": str(int(now))}
    s.play.insert(0, old)
    s.play.append(new)
    s.business["4455"][3]["reviewReply"] = {"comment": "Answered in GBP", "updateTime": iso(now)}
    s.business["4455"][3]["updateTime"] = iso(now)
    results = {r["name"]: r for r in crawl(sources, settings)}
    assert all(r["status"] == "ok" for r in results.values()), results
    rows = stored(engine)
    assert len(rows["own-appstore_connect"]) == 6 and len(rows["own-googlebusiness"]) == 5
    assert "gp:new" in rows["own-googleplay"] and len(rows["own-googleplay"]) == 6
    assert rows["own-appstore_connect"]["apple-3"].reply_text == "Answered in ASC"
    assert rows["own-googlebusiness"]["g3"].reply_text == "Answered in GBP"
    answered = record_platform_answers(engine, sources={}, environ={})
    assert case_of["apple-3"] in answered.marked and case_of["g3"] in answered.marked
    with engine.connect() as conn:
        statuses = conn.execute(select(CRAWL_RUN.c.status)).scalars().all()
    assert statuses and set(statuses) == {"ok"}


def test_refused_credentials_fail_only_that_source(
    api: FakeOwnerApis, keys: OwnerKeys, tmp_path: Path
) -> None:
    other = make_keys()  # a .p8 key Apple does not know; Trustpilot's secret missing
    env = keys.environ(api) | {"ASC_P8": other.apple_p8}
    env.pop("TP_API_SECRET")
    sources = specs(api, env, f"sqlite:///{tmp_path / 'unused.db'}")
    api.fail("play", 429, retry_after=1)  # waited for, then read
    api.fail("business", 403)  # the service account is no manager of the location
    results = {r["name"]: r for r in crawl(sources, {"GRAPEVINE_BRANDS": BRANDS})}
    apple, tp = results["own-appstore_connect"], results["own-trustpilot_business"]
    assert apple["status"] != "ok" and "401" in (apple["error"] or ""), apple
    assert tp["status"] != "ok" and "TP_API_SECRET (api_secret_env) is not set" in (
        tp["error"] or ""
    ), tp
    business = results["own-googlebusiness"]
    assert business["status"] != "ok", business
    assert "Google Business Profile refused access (403): injected 403" in business["error"]
    assert results["own-googleplay"]["status"] == "ok"
    assert len(results["own-googleplay"]["items"]) == 5 and not api.failures["play"]  # the 429
    # one retry with a fresh token, no more
    assert len([c for c in api.calls("GET", "/v1/apps/")]) == 2
    assert not api.calls("GET", "/v1/private/")

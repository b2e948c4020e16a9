"""Exports pass on http(s) links only: a hostile mention URL never reaches a receiver."""

import csv
import json

from helpers.cases import NOW, mention, seed_cases
from helpers.receiver import WebhookReceiver

from triage.export.payload import safe_link
from triage.export.run import export_pending
from triage.export.targets import FileTarget, WebhookTarget

HOSTILE = {
    "js": "javascript:alert(document.cookie)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vb": " JaVaScRiPt:alert(1)",
    "ok": "https://reviews.example/r/ok?x=1",
}


def test_only_http_links_reach_webhooks_csv_and_jsonl(engine, tmp_path) -> None:
    seed_cases(engine, [mention(k, url=url) for k, url in HOSTILE.items()])
    with WebhookReceiver() as hook:
        targets = [
            WebhookTarget("hook", hook.url),
            FileTarget("sheet", str(tmp_path / "cases.csv"), format="csv"),
            FileTarget("lines", str(tmp_path / "cases.jsonl"), format="jsonl"),
        ]
        report = export_pending(
            engine, targets, case_link=lambda _id: "javascript:void(0)", clock=lambda: NOW
        )
    assert report.sent == 12 and report.failed == 0
    bodies = [json.loads(r["body"]) for r in hook.requests]
    lines = [json.loads(x) for x in (tmp_path / "cases.jsonl").read_text().splitlines()]
    with open(tmp_path / "cases.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for name, records in (("webhook", bodies), ("jsonl", lines), ("csv", rows)):
        assert len(records) == 4, name
        urls = sorted(r["mention_url"] or "" for r in records)
        assert urls == ["", "", "", HOSTILE["ok"]], name
        assert all(not r["case_url"] for r in records), name
        text = json.dumps(records).lower()
        assert "javascript" not in text and "data:text" not in text, name
    flagged = {tuple(b.get("links_removed", ())) for b in bodies}
    assert flagged == {("case_url", "mention_url"), ("case_url",)}


def test_safe_link() -> None:
    assert safe_link("https://example.com/a b") is None
    assert safe_link("http:///nohost") is None
    assert safe_link("ftp://example.com/x") is None
    assert safe_link("HTTPS://Example.com/p?q=1#f") == "HTTPS://Example.com/p?q=1#f"

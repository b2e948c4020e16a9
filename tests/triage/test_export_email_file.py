"""Email (a real SMTP server, STARTTLS and login) and file targets; secrets never in logs."""

import csv
import json
import logging
import ssl
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.cases import NOW, mention, seed_cases
from helpers.receiver import SmtpServer, WebhookReceiver
from sqlmodel import Session, select

from storage.models import Export
from triage.export.payload import case_payload, delivery_key, load_records
from triage.export.run import _claim, due, enqueue, export_pending
from triage.export.senders import Delivery, FileSender
from triage.export.targets import EmailTarget, FileTarget, WebhookTarget

HOSTILE = '<script>alert("x")</script> & <b>bold</b>\n=HYPERLINK("http://evil")'


def test_one_email_per_case_with_text_and_escaped_html(engine) -> None:
    [case_id] = seed_cases(
        engine, [mention("1", text=HOSTILE, title="<img src=x onerror=alert(1)>")]
    )
    with SmtpServer() as smtp:
        target = EmailTarget(
            "helpdesk", ("support@acme.example",), sender="grapevine@acme.example",
            smtp_port=smtp.port,
        )  # fmt: skip
        report = export_pending(
            engine, [target], case_link=lambda i: f"https://gv.acme.example/?case={i}"
        )
        assert export_pending(engine, [target]).sent == 0
    assert report.sent == 1 and len(smtp.messages) == 1
    message = smtp.messages[0]
    assert smtp.envelopes[0] == ("grapevine@acme.example", ["support@acme.example"])
    with Session(engine) as session:
        row = session.exec(select(Export)).one()
    key = delivery_key(case_id, "helpdesk", row.created_at)
    assert message["Message-ID"] == f"<{key}@acme.example>" == row.reference
    assert message["X-Grapevine-Case"] == str(case_id)
    assert message["Subject"].startswith(f"Case #{case_id}: 2★ complaint on reviews by Author 1")
    assert "\n" not in message["Subject"]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert HOSTILE in text  # plain text shows the review as written
    assert f"https://gv.acme.example/?case={case_id}" in text
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert f'<a href="https://gv.acme.example/?case={case_id}">' in html


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_starttls_and_login_from_the_environment(sqlite_engine, certificate, caplog) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seed_cases(sqlite_engine, [mention("1"), mention("2")])
    caplog.set_level(logging.DEBUG)
    with SmtpServer(tls_context=context, login=("care", "s3cr3t-pw")) as smtp:
        untrusted = EmailTarget(
            "untrusted", ("s@acme.example",), smtp_port=smtp.port, starttls=True,
            username="care", password="s3cr3t-pw",
        )  # fmt: skip
        refused = export_pending(sqlite_engine, [untrusted])
        wrong = EmailTarget(
            "wrong", ("s@acme.example",), smtp_port=smtp.port, starttls=True,
            username="care", password="not-it-pw", ca_file=str(cert),
        )  # fmt: skip
        denied = export_pending(sqlite_engine, [wrong])
        good = EmailTarget(
            "good", ("s@acme.example",), smtp_port=smtp.port, starttls=True,
            username="care", password="s3cr3t-pw", ca_file=str(cert),
        )  # fmt: skip
        sent = export_pending(sqlite_engine, [good])
    assert refused.sent == 0 and "certificate not trusted" in refused.targets[0].errors[0]
    assert denied.sent == 0 and denied.targets[0].errors[0].startswith("SMTP 535")
    assert sent.sent == 2 and smtp.logins == ["care"] and len(smtp.messages) == 2
    assert "s3cr3t-pw" not in caplog.text and "not-it-pw" not in caplog.text
    assert "s3cr3t-pw" not in repr(good)


def test_csv_file_is_appended_per_run_with_formulas_neutralised(engine, tmp_path) -> None:
    seed_cases(engine, [mention("1", text=HOSTILE, author="@attacker", sentiment=-0.75)])
    target = FileTarget("sheet", tmp_path / "out" / "cases.csv", format="csv")
    assert export_pending(engine, [target]).sent == 1
    seed_cases(engine, [mention("2", author="+33 6 12", title="-5 stars")])
    assert export_pending(engine, [target]).sent == 1
    raw = target.path.read_bytes()
    assert raw.startswith("\ufeff".encode()) and raw.count("\ufeff".encode()) == 1
    rows = list(csv.DictReader(target.path.read_text(encoding="utf-8-sig").splitlines(True)))
    assert len(rows) == 2
    assert rows[0]["author"] == "'@attacker"
    assert rows[0]["text"].startswith("<script>")  # not a formula: left as it is
    assert rows[0]["sentiment"] == "-0.75"  # numbers stay numbers
    assert rows[1]["author"] == "'+33 6 12" and rows[1]["title"] == "'-5 stars"
    assert "\n'=HYPERLINK" not in rows[0]["text"]  # only whole cells are formulas
    assert [r["case_id"] for r in rows] == sorted(r["case_id"] for r in rows)


def test_a_file_never_holds_a_case_twice_after_a_crash(sqlite_engine, tmp_path) -> None:
    ids = seed_cases(sqlite_engine, [mention("1"), mention("2")])
    target = FileTarget("drop", tmp_path / "drop.jsonl")
    # a sender that dies after writing case 1 and before recording it, mid-way through case 2
    enqueue(sqlite_engine, target, now=NOW)
    rows = due(sqlite_engine, "drop", now=NOW, lease=timedelta(0))
    for row in rows:
        assert _claim(sqlite_engine, row, NOW)
    with sqlite_engine.connect() as conn:
        records = load_records(conn, ids)
    first = rows[0]
    key = delivery_key(first.case_id, "drop", first.created_at)
    sender = FileSender(target)
    sender.send(Delivery(key, case_payload(records[first.case_id], key=key, case_url=None)))
    sender.close()
    with open(target.path, "ab") as fh:
        fh.write(b'{"delivery_id": "torn')  # the second write was cut short
    report = export_pending(sqlite_engine, [target], lease=timedelta(0))
    assert report.sent == 2
    lines = target.path.read_text().splitlines()
    assert sorted(json.loads(line)["case_id"] for line in lines) == sorted(ids)
    with Session(sqlite_engine) as session:
        refs = {e.case_id: e.reference for e in session.exec(select(Export)).all()}
    assert refs[first.case_id] == "drop.jsonl (already in the file)"


def test_no_secret_reaches_a_log_or_the_ledger(sqlite_engine, caplog, tmp_path) -> None:
    seed_cases(sqlite_engine, [mention("1")])
    caplog.set_level(logging.DEBUG)
    secrets = ["hmac-Secret-123", "Bearer header-Secret-456", "smtp-Password-789"]
    with WebhookReceiver(secret="other", plan=[500]) as hook:
        targets = [
            WebhookTarget(
                "hook", hook.url + "?token=url-Secret-000", secret=secrets[0],
                headers={"Authorization": secrets[1]},
            ),
            EmailTarget("mail", ("a@b.example",), smtp_port=1, username="u", password=secrets[2]),
        ]  # fmt: skip
        report = export_pending(sqlite_engine, targets)
    assert report.failed == 2
    with Session(sqlite_engine) as session:
        errors = " ".join(e.last_error or "" for e in session.exec(select(Export)).all())
    shown = caplog.text + errors + repr(targets) + repr(report)
    for secret in [*secrets, "url-Secret-000"]:
        assert secret not in shown
    assert "HTTP 401" in errors  # the receiver refused the signature made with another secret

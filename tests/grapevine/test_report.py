"""`grapevine report`: the Brand health page's numbers, escaped text, a real PDF, a real email."""

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.receiver import SmtpServer

from grapevine.cli import cli
from grapevine.report import ReportSpec, gather, period_for, render_html
from storage import health
from storage.health import Period
from storage.mentions import upsert_mentions
from storage.types import utcnow
from tests.dashboard.seed import HOSTILE_TEXT, HOSTILE_TITLE, mention
from tests.storage.test_advocates_storage import seed

SPEC = ReportSpec(brand="Larkwood Coffee", sla_hours=24, urgent_sla_hours=4)


def config(tmp_path: Path, url: str, extra: str = "") -> Path:
    path = tmp_path / "grapevine.toml"
    path.write_text(
        f'[brand]\nname = "Larkwood Coffee"\n\n[database]\nurl = "{url}"\n{extra}', "utf-8"
    )
    return path


def test_the_numbers_are_the_brand_health_pages(engine) -> None:
    seed(engine)
    period = period_for(7)
    assert period == Period.last(7)  # what the page computes for "Last 7 days"
    data = gather(engine, SPEC, period)
    assert data["kpis"] == health.mention_kpis(engine, period)
    assert data["kpis_before"] == health.mention_kpis(engine, period.previous)
    assert data["cases"] == health.case_kpis(engine, period)
    cards = {card["label"]: card["value"] for card in data["cards"]}
    kpis, cases = data["kpis"], data["cases"]
    assert cards["Mentions"] == f"{kpis['mentions']:,}" and kpis["mentions"] > 0
    assert cards["Praise"] == str(kpis["positive"]) and kpis["positive"] >= 3
    assert cards["Net sentiment"] == f"{kpis['net_sentiment']:+.0%}"
    assert cards["Open cases"] == str(cases["open_end"])
    # the daily series adds up to the KPIs; the themes are the page's complaint themes
    assert sum(day["mentions"] for day in data["series"]) == kpis["mentions"]
    assert len(data["series"]) == 7
    themes = health.complaint_themes(engine, period)
    assert {t["aspect"] for t in data["themes"]} == {t["aspect"] for t in themes}
    assert data["themes"][0]["aspect"] == "billing"  # maria + the hostile one
    assert all(t["example"] is not None for t in data["themes"])
    assert data["advocates"][0]["customer_name"] == "Marco Bianchi"
    assert data["came_back"] == 1


def test_the_html_is_self_contained_and_shows_hostile_text_as_text(engine) -> None:
    seed(engine)
    fan = {"label": "positive", "sentiment": 0.9, "rating": 5.0, "aspects": ["<b>x</b>"]}
    upsert_mentions(
        engine,
        [
            mention(
                "hostile-fan", 0.1, author="<b>Eve</b>", title=HOSTILE_TITLE,
                text=HOSTILE_TEXT, url="javascript:alert(5)", **fan,
            )
        ],
    )  # fmt: skip
    html = render_html(gather(engine, SPEC, period_for(7)))
    assert "<script" not in html.lower() and re.search(r"<[^>]*onerror=", html) is None
    assert "<img" not in html and 'href="javascript:' not in html
    assert '<a href="http://evil.example/phish">' not in html
    assert "&lt;img src=x onerror=" in html  # shown, escaped
    assert re.search(r"""(src|href)=["']?(https?:)?//(?!reviews\.example)""", html) is None
    assert html.count("<svg") >= 3  # volume, rating, themes drawn inline
    assert "Marco Bianchi" in html and "came back happier" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert HOSTILE_TEXT[:20] not in html and "javascript:" not in html


def test_pdf_through_chromium_reads_back_with_the_kpis(sqlite_engine, tmp_path: Path) -> None:
    from pypdf import PdfReader

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed")
    seed(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "week.pdf"
    result = CliRunner().invoke(
        cli, ["--config", str(config(tmp_path, url)), "report", "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    text = " ".join(text.split())
    kpis = health.mention_kpis(sqlite_engine, Period.last(7))
    assert "Larkwood Coffee: the week in brand health" in text
    assert f"Mentions {kpis['mentions']}" in text
    assert f"Praise {kpis['positive']}" in text
    assert "Top complaint themes" in text and "Advocates of the week" in text


def test_pdf_without_chromium_is_one_clear_line(sqlite_engine, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on this PATH
    url = sqlite_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli, ["--config", str(config(tmp_path, url)), "report", "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: PDF needs Chromium, which is not installed (apt-get install chromium)"
    ]


def test_the_report_email_arrives_with_the_report_inline_and_attached(
    sqlite_engine, tmp_path: Path
) -> None:
    seed(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with SmtpServer() as smtp:
        extra = (
            f'\n[report]\nweekly = true\nday = "monday"\nto = ["team@larkwood.example"]\n'
            f'sender = "grapevine@larkwood.example"\nsmtp_port = {smtp.port}\n'
        )
        result = CliRunner().invoke(
            cli, ["--config", str(config(tmp_path, url, extra)), "report", "--email"]
        )
    assert result.exit_code == 0, result.output
    assert "sent to 1 address(es)" in result.output
    [message] = smtp.messages
    assert smtp.envelopes[0] == ("grapevine@larkwood.example", ["team@larkwood.example"])
    assert message["Subject"].startswith("Larkwood Coffee: brand health ")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    kpis = health.mention_kpis(sqlite_engine, Period.last(7))
    assert f"Mentions: {kpis['mentions']}" in text
    assert "the week in brand health" in html and "<script" not in html.lower()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().startswith("brand-health-")
    assert attachment.get_content_type() == "text/html"


def test_report_email_without_a_list_is_one_line(sqlite_engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--config", str(config(tmp_path, url)), "report", "--email"])
    assert result.exit_code == 2
    assert "report.to" in result.output and len(result.output.strip().splitlines()) == 1


def test_the_scheduler_sends_the_report_every_monday(monkeypatch) -> None:
    from grapevine import stopping
    from grapevine.scheduler import Scheduler, ScheduleSpec
    from tests.grapevine.test_scheduler import START, FakeClock, drive

    stopping.STOP.reset()
    clock = FakeClock(START, START + timedelta(days=14))  # Friday 20 November, two weeks
    drive(monkeypatch, clock)
    spec = ScheduleSpec(
        times=("07:00",), timezone="Europe/Berlin", export_every_minutes=0, run_missed=False,
        report_day="monday", report_time="08:00",
    )  # fmt: skip
    sent: list[datetime] = []
    Scheduler(
        spec,
        run_job=lambda trigger: None,
        export=None,
        last_run=lambda: START,
        clock=clock,
        report=lambda: sent.append(clock.t),
    ).run()
    stopping.STOP.reset()
    assert [t.strftime("%a %d %H:%M") for t in sent] == ["Mon 23 07:00", "Mon 30 07:00"]


def test_the_scheduled_report_child_emails_the_last_seven_whole_days(
    sqlite_engine, tmp_path: Path
) -> None:
    from grapevine.scheduler import ScheduleSpec, scheduled_report

    seed(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with SmtpServer() as smtp:
        extra = (
            f'\n[report]\nweekly = true\nto = "team@larkwood.example"\nsmtp_port = {smtp.port}\n'
        )
        result = scheduled_report(config(tmp_path, url, extra), ScheduleSpec(), timeout=120)
    assert result.code == 0
    [message] = smtp.messages
    last_day = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert message["Subject"].endswith(f"to {last_day}")  # yesterday was the last day

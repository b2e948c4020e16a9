"""The weekly report: brand health a person would rather look at than read, as HTML or PDF.

**One source of truth.** Every figure comes from the functions the Brand health page calls
(:mod:`storage.health`: ``mention_kpis``, ``case_kpis``, ``daily``, ``complaint_themes``) for
the same :class:`storage.health.Period` — "the last 7 days" is today and the six days before
it, in whole UTC days, exactly as on the page — so the report and the page never disagree.

**Self-contained.** One HTML file: the styles inline, the charts inline SVG drawn here from
the numbers (no script, no CDN, nothing fetched when it is opened or printed). It is rendered
by Jinja2 with autoescape, so a review's text is shown, never interpreted. The PDF is that
HTML printed by headless Chromium (``--print-to-pdf``) within a total deadline; without
Chromium it fails with one line.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import Engine

from storage import health
from storage.advocates import attention_examples
from storage.health import Period
from storage.types import utcnow
from triage import advocacy

PERIODS = {"week": 7, "month": 30}
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
PDF_TIMEOUT = 60.0


class ReportError(Exception):
    """The report could not be made (one line saying why and what to do)."""


@dataclass(frozen=True)
class ReportSpec:
    """What the report is about: the brand, the service level, the period."""

    brand: str
    sla_hours: float = 24.0
    urgent_sla_hours: float = 4.0
    days: int = 7


def period_for(days: int, *, end: datetime | None = None, now: datetime | None = None) -> Period:
    """The last ``days`` UTC days up to ``end`` (a day start; default: today included)."""
    if end is None:
        return Period.last(days, now=now)
    end = datetime.combine(end.astimezone(UTC).date(), time.min, tzinfo=UTC)
    return Period(end - timedelta(days=days), end)


# --- the numbers --------------------------------------------------------------------------


def _kpi(
    label: str, now: Any, before: Any, fmt: str, *, better: str | None, delta_fmt: str | None = None
) -> dict[str, Any]:
    value = fmt.format(now) if now is not None else "n/a"
    delta, tone = "", "neutral"
    if now is not None and before is not None:
        change = now - before
        text = (delta_fmt or fmt).format(change)
        delta = text if text.startswith("-") else "+" + text
        if better and change:
            tone = "good" if (change > 0) == (better == "up") else "bad"
    previous = fmt.format(before) if before is not None else "n/a"
    return {"label": label, "value": value, "delta": delta, "tone": tone, "before": previous}


def gather(engine: Engine, spec: ReportSpec, period: Period) -> dict[str, Any]:
    """Everything the report shows for ``period`` (and the one before it)."""
    kpis = health.mention_kpis(engine, period)
    before = health.mention_kpis(engine, period.previous)
    cases = health.case_kpis(engine, period)
    cases_before = health.case_kpis(engine, period.previous)
    days = health.daily(engine, period)
    themes = health.complaint_themes(engine, period)
    cards = [
        _kpi("Mentions", kpis["mentions"], before["mentions"], "{:,}", better=None),
        _kpi("Praise", kpis["positive"], before["positive"], "{:,}", better="up"),
        _kpi("Net sentiment", kpis["net_sentiment"], before["net_sentiment"], "{:+.0%}",
             better="up"),
        _kpi("Average rating", kpis["avg_rating"], before["avg_rating"], "{:.2f}", better="up"),
        _kpi("Needing attention", kpis["attention_share"], before["attention_share"], "{:.0%}",
             better="down"),
        _kpi("Open cases", cases["open_end"], cases["open_start"], "{:,}", better="down"),
        _kpi("Median time to first response", cases["median_first_action_hours"],
             cases_before["median_first_action_hours"], "{:.1f} h", better="down"),
        _kpi("Answered within the SLA", cases["sla_share"], cases_before["sla_share"], "{:.0%}",
             better="up"),
        _kpi("Cases opened", cases["opened"], cases_before["opened"], "{:,}", better="down"),
    ]  # fmt: skip
    series = _own_series(days, period)
    theme_totals = _theme_totals(themes)
    examples = _examples(engine, period, [t["aspect"] for t in theme_totals[:5]])
    top_themes = [{**t, "example": examples.get(t["aspect"])} for t in theme_totals[:5]]
    happy = advocacy.advocates(engine, days=(period.end - period.start).days, until=period.end)
    return {
        "spec": spec,
        "period": period,
        "last_day": (period.end - timedelta(days=1)).strftime("%Y-%m-%d"),
        "first_day": period.first_day,
        "generated": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        "kpis": kpis,
        "kpis_before": before,
        "cases": cases,
        "cases_before": cases_before,
        "cards": cards,
        "series": series,
        "themes": top_themes,
        "advocates": happy[:8],
        "advocates_total": len(happy),
        "came_back": sum(1 for row in happy if row.get("came_back")),
        "volume_svg": volume_svg(series),
        "rating_svg": rating_svg(series),
        "themes_svg": bars_svg([(t["aspect"], t["mentions"]) for t in top_themes]),
    }


def _own_series(rows: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    """Per day of the period: the own brand's counts and ratios (days without any included)."""
    empty = {k: 0 for k in ("mentions", "positive", "negative", "rated", "attention")}
    by_day: dict[str, dict[str, Any]] = {}
    day = period.start.astimezone(UTC).date()
    while day < period.end.astimezone(UTC).date():
        by_day[day.isoformat()] = {**empty, "sentiment_sum": 0.0, "rating_sum": 0.0}
        day += timedelta(days=1)
    for row in rows:
        if row["is_competitor"] or row["day"] not in by_day:
            continue
        totals = by_day[row["day"]]
        for key in (*empty, "sentiment_sum", "rating_sum"):
            totals[key] += row[key]
    return [{"day": d, **health.derived(v)} for d, v in by_day.items()]


def _theme_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["aspect"]] = totals.get(row["aspect"], 0) + int(row["mentions"])
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [{"aspect": aspect, "mentions": n} for aspect, n in ranked]


def _examples(engine: Engine, period: Period, aspects: list[str]) -> dict[str, dict[str, Any]]:
    """The strongest complaint of each theme, a different one per theme where there is one."""
    rows = attention_examples(engine, since=period.start, until=period.end)
    found: dict[str, dict[str, Any]] = {}
    used: set[int] = set()
    for fresh_only in (True, False):
        for aspect in aspects:
            if aspect in found:
                continue
            for row in rows:
                if aspect in (row["aspects"] or []) and not (fresh_only and row["id"] in used):
                    found[aspect] = row
                    used.add(row["id"])
                    break
    return found


# --- charts: inline SVG from the numbers ----------------------------------------------------

W, H, PAD = 640, 200, 34


def _svg(body: list[str], height: int = H) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" '
        f'width="100%" role="img" font-family="sans-serif" font-size="11">'
    )
    # every text in body went through escape(); the rest is numbers we formatted
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def volume_svg(series: list[dict[str, Any]]) -> Markup:
    """Mentions per day (bars; needing attention in red) and net sentiment (green line)."""
    if not series:
        return Markup("")
    top = max([s["mentions"] for s in series] + [1])
    step = (W - 2 * PAD) / len(series)
    body = [f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#999"/>']
    points = []
    for i, s in enumerate(series):
        x = PAD + i * step
        h = (H - 2 * PAD) * s["mentions"] / top
        red = (H - 2 * PAD) * s["attention"] / top
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{H - PAD - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}" fill="#9fb7d9"><title>{escape(s["day"])}: '
            f"{s['mentions']} mentions</title></rect>"
        )
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{H - PAD - red:.1f}" width="{step * 0.7:.1f}" '
            f'height="{red:.1f}" fill="#e57373"/>'
        )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{H - PAD + 14}" text-anchor="middle" '
            f'fill="#555">{escape(s["day"][5:])}</text>'
        )
        if s["mentions"]:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{H - PAD - h - 3:.1f}" text-anchor="middle" '
                f'fill="#333">{s["mentions"]}</text>'
            )
        if s["net_sentiment"] is not None:
            y = PAD + (H - 2 * PAD) * (1 - (s["net_sentiment"] + 1) / 2)
            points.append(f"{x + step / 2:.1f},{y:.1f}")
    if len(points) > 1:
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#2e7d32" stroke-width="2"/>'
        )
    for point in points:
        cx, cy = point.split(",")
        body.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="#2e7d32"/>')
    body.append(f'<text x="{PAD}" y="14" fill="#555">mentions (red: needing attention); '
                "green: net sentiment, -100% to +100%</text>")  # fmt: skip
    return _svg(body)


def rating_svg(series: list[dict[str, Any]]) -> Markup:
    """Average rating per day, on a 1–5 scale."""
    rated = [(i, s) for i, s in enumerate(series) if s["avg_rating"] is not None]
    if not rated:
        return Markup("")
    height = 150
    step = (W - 2 * PAD) / len(series)
    body = []
    for stars in (1, 3, 5):
        y = PAD + (height - 2 * PAD) * (5 - stars) / 4
        body.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - PAD}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{PAD - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{stars}★</text>'
        )
    points = []
    for i, s in rated:
        x = PAD + i * step + step / 2
        y = PAD + (height - 2 * PAD) * (5 - s["avg_rating"]) / 4
        points.append((x, y, s))
    if len(points) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        body.append(f'<polyline points="{line}" fill="none" stroke="#f9a825" stroke-width="2"/>')
    for x, y, s in points:
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#f9a825"><title>'
            f"{escape(s['day'])}: {s['avg_rating']:.2f}</title></circle>"
        )
    body.append(f'<text x="{PAD}" y="14" fill="#555">average rating</text>')
    return _svg(body, height)


def bars_svg(items: list[tuple[str, int]]) -> Markup:
    """Horizontal bars, one per (label, count)."""
    if not items:
        return Markup("")
    row, left = 24, 150
    height = row * len(items) + 10
    top = max(n for _, n in items) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = 5 + i * row
        width = (W - left - 60) * n / top
        body.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#333">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{width:.1f}" height="{row - 8}" fill="#e57373"/>'
            f'<text x="{left + width + 6:.1f}" y="{y + 15}" fill="#333">{n}</text>'
        )
    return _svg(body, height)


# --- HTML and PDF ---------------------------------------------------------------------------


def _first_line(text: str | None, length: int = 280) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _href(url: str | None) -> str | None:
    from triage.export.mail import href

    return href(url)


TEMPLATES = Environment(
    loader=PackageLoader("grapevine", "report_templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
    undefined=StrictUndefined,
)
TEMPLATES.filters.update(line=_first_line, href=_href, money=lambda v: f"{v:,.0f}" if v else "")
TEMPLATES.globals.update(loved=advocacy.loved)


def render_html(data: dict[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    return TEMPLATES.get_template("report.html.j2").render(**data)


def render_text(data: dict[str, Any]) -> str:
    """A plain-text summary (the email's text part)."""
    spec: ReportSpec = data["spec"]
    lines = [f"{spec.brand}: brand health, {data['first_day']} to {data['last_day']} (UTC)", ""]
    for card in data["cards"]:
        lines.append(f"{card['label']}: {card['value']} ({card['delta'] or 'no change'})")
    if data["themes"]:
        lines += ["", "Top complaint themes:"]
        lines += [f"  {t['aspect']}: {t['mentions']}" for t in data["themes"]]
    lines += ["", f"Happy voices: {data['advocates_total']} ({data['came_back']} came back "
              "happier after a resolved case)"]  # fmt: skip
    return "\n".join(lines) + "\n"


def find_chromium() -> str | None:
    """The Chromium executable, if one is installed."""
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pdf(html: str, out: Path, *, timeout: float = PDF_TIMEOUT) -> Path:
    """Print ``html`` to ``out`` with headless Chromium, within ``timeout`` seconds in all."""
    chromium = find_chromium()
    if chromium is None:
        raise ReportError("PDF needs Chromium, which is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="grapevine-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(tmp) / "report.pdf"
        argv = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        child = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # Chromium and its helper processes
            child.wait()
            raise ReportError(f"Chromium did not print the PDF within {timeout:g} s") from None
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if code != 0 or not target.exists() or target.stat().st_size == 0:
            raise ReportError(f"Chromium could not print the PDF (exit status {code})")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, out)
    return out


# --- email ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mailing:
    """Where the report is emailed: the list and the SMTP settings (secrets resolved)."""

    to: tuple[str, ...]
    sender: str = "grapevine@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = 30.0


def email_report(
    mailing: Mailing, data: dict[str, Any], html: str, *, pdf: bytes | None = None
) -> None:
    """Send the report: the HTML inline (text alternative), the HTML or PDF attached."""
    from triage.export.mail import SmtpClient, build_message, smtp_error

    spec: ReportSpec = data["spec"]
    subject = f"{spec.brand}: brand health {data['first_day']} to {data['last_day']}"
    message = build_message(
        sender=mailing.sender,
        to=mailing.to,
        subject=subject,
        text=render_text(data),
        html=html,
        headers={"X-Grapevine-Report": "weekly"},
    )
    name = f"brand-health-{data['last_day']}"
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=name + ".pdf")
    else:
        message.add_attachment(html, subtype="html", filename=name + ".html")
    client = SmtpClient(
        mailing.smtp_host,
        mailing.smtp_port,
        starttls=mailing.starttls,
        username=mailing.username,
        password=mailing.password,
        ca_file=mailing.ca_file,
        timeout=mailing.timeout,
    )
    try:
        with client:
            client.send(message)
    except Exception as exc:
        raise ReportError(
            f"the report email was not sent: {smtp_error(exc, mailing.timeout)}"
        ) from None

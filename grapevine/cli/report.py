"""``grapevine report``: the weekly brand-health report, as HTML or PDF, or by email."""

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click

from grapevine.cli.common import Failure, config_option, engine, settings
from grapevine.config import Settings
from grapevine.report import (
    PERIODS,
    Mailing,
    ReportError,
    ReportSpec,
    email_report,
    gather,
    period_for,
    render_html,
    render_pdf,
)


def mailing(cfg: Settings) -> Mailing:
    """The ``[report]`` list and SMTP settings, with the secrets from the environment."""
    r = cfg.report
    if not r.to:
        raise Failure(f"{cfg.path}: report.to: the addresses to send the report to")
    for env in (r.username_env, r.password_env):
        if env and not cfg.secret(env):
            raise Failure(f"{cfg.path}: report: the environment variable {env} is not set")
    return Mailing(
        to=tuple(r.to),
        sender=r.sender,
        smtp_host=r.smtp_host,
        smtp_port=r.smtp_port,
        starttls=r.starttls,
        username=cfg.secret(r.username_env) if r.username_env else None,
        password=cfg.secret(r.password_env) if r.password_env else None,
        ca_file=str(cfg.resolve_path(r.ca_file)) if r.ca_file else None,
        timeout=r.timeout,
    )


@click.command("report")
@config_option
@click.option(
    "--period", type=click.Choice(list(PERIODS)), default="week", show_default=True,
    help="The last 7 days (week) or 30 days (month), today included, as on Brand health.",
)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default=None,
              help="html (default) or pdf (printed by headless Chromium).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: brand-health-LASTDAY.html or .pdf).")  # fmt: skip
@click.option(
    "--end", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="The first UTC day after the period (default: tomorrow, so today is included).",
)  # fmt: skip
@click.option("--email", is_flag=True, help="Send it to the [report] list instead of a file.")
def report_command(
    period: str, fmt: str | None, output: Path | None, end: datetime | None, email: bool
) -> None:
    """Write the brand-health report of the last week: KPIs against the week before, the
    trend charts, the top complaint themes with an example each, response times against
    the SLA and the advocates of the week. The figures are those of the Brand health page.

    The HTML is one self-contained file (charts inline, nothing fetched); --format pdf
    prints it with headless Chromium. --email sends it to [report] to (HTML inline, the
    file attached) through the SMTP server configured there; `grapevine schedule` does that
    every week when [report] weekly = true.

    \b
    Example:
      grapevine report --period week -o week.html
      grapevine report --format pdf -o week.pdf --config acme/grapevine.toml
      grapevine report --email
    """
    cfg = settings()
    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix else None)
    fmt = fmt if fmt in ("html", "pdf") else "html"
    spec = ReportSpec(
        brand=cfg.brand.name,
        sla_hours=cfg.triage.sla_hours,
        urgent_sla_hours=cfg.triage.urgent_sla_hours,
        days=PERIODS[period],
    )
    span = period_for(spec.days, end=end.replace(tzinfo=UTC) if end else None)
    send_to = mailing(cfg) if email else None
    data = gather(engine(cfg), spec, span)
    html = render_html(data)
    target = output or Path(f"brand-health-{data['last_day']}.{fmt}")
    try:
        if send_to is not None:
            pdf = None
            if fmt == "pdf":
                with tempfile.TemporaryDirectory(prefix="grapevine-report-") as tmp:
                    pdf = render_pdf(html, Path(tmp) / "report.pdf").read_bytes()
            email_report(send_to, data, html, pdf=pdf)
            click.echo(f"Report {data['first_day']} to {data['last_day']} sent to "
                       f"{len(send_to.to)} address(es).")  # fmt: skip
            return
        if fmt == "pdf":
            render_pdf(html, target)
        else:
            target.write_text(html, encoding="utf-8")
    except ReportError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot write {target}: {exc.strerror}") from None
    click.echo(f"Report {data['first_day']} to {data['last_day']} written to {target}")


COMMANDS = [report_command]

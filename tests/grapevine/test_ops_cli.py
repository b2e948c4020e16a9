"""`grapevine run` and `grapevine export` as a user runs them, against real receivers:
killed with SIGKILL mid-export and run again, every case reaches every target once."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.cases import mention
from helpers.receiver import SmtpServer, WebhookReceiver
from sqlmodel import Session, select

from grapevine.cli import cli
from storage import make_engine, upgrade
from storage.mentions import upsert_mentions
from storage.models import Export, JobRun
from triage.opening import open_cases
from triage.policy import TriagePolicy

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "GV_HOOK_SECRET": "hmac-9f8e7d-secret",
    "GV_HOOK_AUTH": "Bearer auth-5c4b3a-secret",
    "GV_SMTP_USER": "care",
    "GV_SMTP_PASSWORD": "smtp-1a2b3c-secret",
}

CONFIG = """
[brand]
name = "Acme"

[dashboard]
public_url = "https://gv.acme.example"

[alerts]
digest = false

[[targets]]
name = "drop"
type = "file"
path = "out/cases.jsonl"

[[targets]]
name = "hook"
type = "webhook"
url = "{hook}"
secret_env = "GV_HOOK_SECRET"
headers_env = {{ Authorization = "GV_HOOK_AUTH" }}
timeout = 5

[[targets]]
name = "helpdesk"
type = "email"
to = ["support@acme.example"]
sender = "grapevine@acme.example"
smtp_port = {smtp}
username_env = "GV_SMTP_USER"
password_env = "GV_SMTP_PASSWORD"
rules = {{ complaint = true, max_rating = 2, any_of = true }}
"""


def start(*args: str, cwd: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "grapevine", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **SECRETS, "GRAPEVINE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
    )


def setup(tmp_path: Path, url: str, hook: WebhookReceiver, smtp: SmtpServer, n: int) -> None:
    (tmp_path / "grapevine.toml").write_text(CONFIG.format(hook=hook.url, smtp=smtp.port))
    engine = make_engine(url)
    upgrade(engine)
    upsert_mentions(engine, [mention(str(i), rating=1.0 + (i % 5)) for i in range(n)])
    engine.dispose()


def test_sigkill_mid_export_then_again_delivers_every_case_once(db_url, tmp_path) -> None:
    n = 6
    runs: list[subprocess.Popen[str]] = []

    def kill_at_the_third(_payload: dict) -> None:
        if len(hook.stored) == 3 and runs[0].poll() is None:
            runs[0].send_signal(signal.SIGKILL)  # stored, not yet answered, not recorded

    with (
        WebhookReceiver(secret=SECRETS["GV_HOOK_SECRET"], on_store=kill_at_the_third) as hook,
        SmtpServer(login=("care", SECRETS["GV_SMTP_PASSWORD"])) as smtp,
    ):
        setup(tmp_path, db_url, hook, smtp, n)
        runs.append(start("run", cwd=tmp_path, url=db_url))
        runs[0].communicate(timeout=120)
        assert runs[0].returncode == -signal.SIGKILL
        assert len(hook.stored) == 3 and smtp.messages == []
        again = start("run", cwd=tmp_path, url=db_url)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, out + err
    # the webhook: each case once by its idempotency key; the interrupted one came twice
    keys = [r["headers"]["idempotency-key"] for r in hook.requests]
    assert len(hook.requests) == n + 1 and len(set(keys)) == n and hook.bad_signatures == 0
    assert sorted(p["case_id"] for p in hook.stored.values()) == list(range(1, n + 1))
    # email: only complaints or ratings <= 2 (all are complaints here), one message each
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == n and len(set(ids)) == n
    # the file: one line per case
    lines = (tmp_path / "out" / "cases.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["case_id"] for line in lines) == list(range(1, n + 1))
    engine = make_engine(db_url)
    with Session(engine) as session:
        ledger = session.exec(select(Export)).all()
        jobs = session.exec(select(JobRun).order_by(JobRun.id)).all()
    engine.dispose()
    assert len(ledger) == 3 * n and {e.state for e in ledger} == {"sent"}
    assert [j.status for j in jobs] == ["interrupted", "ok"]  # the killed run is marked
    # the second run: 4 webhook deliveries (the interrupted one again, with its key) + 6 emails;
    # the file target was done before the kill
    assert "exports sent: 10" in out
    for secret in SECRETS.values():
        if secret != "care":
            assert secret not in out + err


def test_sigterm_stops_the_run_between_steps(sqlite_engine, tmp_path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    proc: list[subprocess.Popen[str]] = []

    def stop_on_first(_payload: dict) -> None:
        if len(hook.stored) == 1:
            proc[0].send_signal(signal.SIGTERM)

    with (
        WebhookReceiver(
            secret=SECRETS["GV_HOOK_SECRET"],
            plan=["slow"],
            slow_seconds=0.5,
            on_store=stop_on_first,
        ) as hook,
        SmtpServer(login=("care", SECRETS["GV_SMTP_PASSWORD"])) as smtp,
    ):
        setup(tmp_path, url, hook, smtp, 4)
        proc.append(start("run", cwd=tmp_path, url=url))
        out, err = proc[0].communicate(timeout=120)
    assert proc[0].returncode == 1, out + err
    assert "Stopped by a signal; skipped: " in err and "alerts, follow_ups, retention\n" in err
    assert "Traceback" not in err
    with Session(sqlite_engine) as session:
        states = sorted(e.state for e in session.exec(select(Export)).all() if e.target == "hook")
        job = session.exec(select(JobRun)).one()
    assert states == ["pending", "pending", "pending", "sent"]  # nothing left half-sent
    assert job.status == "interrupted"
    assert job.summary["skipped"][-3:] == ["alerts", "follow_ups", "retention"]


def test_export_command_dry_run_failures_and_the_run_lock(sqlite_engine, tmp_path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with (
        WebhookReceiver(secret=SECRETS["GV_HOOK_SECRET"], plan=[503]) as hook,
        SmtpServer(login=("care", SECRETS["GV_SMTP_PASSWORD"])) as smtp,
    ):
        setup(tmp_path, url, hook, smtp, 3)
        open_cases(sqlite_engine, TriagePolicy())
        dry = start("export", "--dry-run", cwd=tmp_path, url=url)
        dry_out, _ = dry.communicate(timeout=60)
        assert dry.returncode == 0 and not (tmp_path / "out").exists()
        assert "helpdesk (email) — your brand's cases: complaints or rating ≤ 2" in dry_out
        assert "case #1      new" in dry_out
        real = start("export", "-vv", cwd=tmp_path, url=url)
        out, err = real.communicate(timeout=60)
        assert real.returncode == 1, out + err
        assert "hook" in out and "HTTP 503" in out and "stopped after failures in a row" in out
        assert "3 waiting" in out
        for secret in (
            SECRETS["GV_HOOK_SECRET"],
            SECRETS["GV_HOOK_AUTH"],
            SECRETS["GV_SMTP_PASSWORD"],
        ):
            assert secret not in out + err
    unknown = CliRunner().invoke(
        cli, ["export", "--config", str(tmp_path / "grapevine.toml"), "--target", "nope"]
    )
    assert unknown.exit_code == 2 and "no target 'nope'" in unknown.output
    from grapevine.locks import RunLock

    with RunLock(sqlite_engine, "run"):
        busy = start("run", cwd=tmp_path, url=url)
        _, busy_err = busy.communicate(timeout=60)
    assert busy.returncode == 3
    assert "another grapevine process holds the run lock" in busy_err
    assert "Traceback" not in busy_err


@pytest.mark.parametrize("missing", ["GV_HOOK_SECRET"])
def test_a_target_whose_secret_is_missing_is_not_sent_to(sqlite_engine, tmp_path, missing) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with (
        WebhookReceiver(secret=SECRETS["GV_HOOK_SECRET"]) as hook,
        SmtpServer(login=("care", SECRETS["GV_SMTP_PASSWORD"])) as smtp,
    ):
        setup(tmp_path, url, hook, smtp, 1)
        env = {k: v for k, v in {**os.environ, **SECRETS}.items() if k != missing}
        result = subprocess.run(
            [sys.executable, "-m", "grapevine", "run"], cwd=tmp_path, capture_output=True,
            text=True, env={**env, "GRAPEVINE_DATABASE_URL": url}, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"hook: environment variable {missing} (secret_env) is not set" in result.stderr
    assert hook.requests == []  # never sent unsigned
    assert len(smtp.messages) == 1


def test_grapevine_schedule_makes_up_a_missed_run_and_stops_on_sigterm(
    sqlite_engine, tmp_path
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    (tmp_path / "grapevine.toml").write_text(
        '[brand]\nname = "Acme"\n[alerts]\ndigest = false\n'
        '[schedule]\ntimes = ["03:17"]\ntimezone = "Pacific/Auckland"\nexport_every_minutes = 1\n'
    )
    scheduler = start("schedule", cwd=tmp_path, url=url)
    try:
        deadline = 60.0
        while deadline > 0:  # no JobRun yet: the latest scheduled run counts as missed
            with Session(sqlite_engine) as session:
                job = session.exec(select(JobRun)).first()
            if job is not None and job.status != "running":
                break
            time.sleep(0.5)
            deadline -= 0.5
        second = start("schedule", cwd=tmp_path, url=url)
        _, second_err = second.communicate(timeout=60)
        assert second.returncode == 3 and "schedule lock" in second_err
    finally:
        scheduler.send_signal(signal.SIGTERM)
        out, err = scheduler.communicate(timeout=60)
    assert scheduler.returncode == 0, err
    assert job is not None and (job.trigger, job.status) == ("missed", "ok")
    assert "the last scheduled run was missed: running now" in err
    assert "run finished ok" in err and "scheduler started: daily at 03:17" in err
    assert "scheduler stopped (SIGTERM)" in err

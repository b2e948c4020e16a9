"""Two exporter processes at once, against a flaky receiver: each case delivered exactly once.

PostgreSQL (the deployment where several exporters run): each row is claimed under
``FOR UPDATE SKIP LOCKED`` and re-checked as still due (:func:`storage.exports.claim`).
"""

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers.cases import mention, seed_cases
from helpers.receiver import WebhookReceiver
from sqlalchemy import Engine, text

SECRET = "whsec-two-exporters"
CASES = 40
ROOT = Path(__file__).resolve().parents[2]

#: One exporter: export runs back to back until nothing waits (or 60 s), fast backoff.
EXPORTER = """
import sys, time
from datetime import timedelta
from storage import make_engine
from triage.export.run import export_pending
from triage.export.targets import RetryPolicy, WebhookTarget

url, hook, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = make_engine(url)
target = WebhookTarget("helpdesk", hook, secret=sys.argv[4])
retry = RetryPolicy(base=timedelta(milliseconds=30), cap=timedelta(milliseconds=120),
                    stop_after=10_000)
while time.time() < start:  # both exporters begin together
    time.sleep(0.005)
deadline = time.monotonic() + 60
sent = 0
while time.monotonic() < deadline:
    report = export_pending(engine, [target], retry=retry)
    sent += report.sent
    if report.waiting == 0:
        break
    time.sleep(0.02)
print(sent)
"""


def _flaky_plan(length: int) -> list[object]:
    """500 for every third request, a slow answer now and then, else ok; ok at the end."""
    plan: list[object] = []
    for i in range(length):
        plan.append(500 if i % 3 == 0 else "slow" if i % 7 == 1 else "ok")
    return [*plan, "ok"]


@pytest.mark.postgres
def test_two_exporters_deliver_each_case_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several exporters at once run on PostgreSQL")
    ids = seed_cases(engine, [mention(str(i), rating=1.0 + i % 5) for i in range(CASES)])
    assert len(ids) == CASES
    accepted: Counter[int] = Counter()  # 200 answers per case (a duplicate key counts too)
    url = engine.url.render_as_string(hide_password=False)
    with WebhookReceiver(
        secret=SECRET,
        plan=_flaky_plan(CASES * 3),
        slow_seconds=0.15,
        on_store=lambda payload: accepted.update([payload["case_id"]]),
    ) as hook:
        start = time.time() + 3.0
        exporters = [
            subprocess.Popen(
                [sys.executable, "-c", EXPORTER, url, hook.url, str(start), SECRET],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=90) for p in exporters]
    for process, (_, err) in zip(exporters, outputs, strict=True):
        assert process.returncode == 0, err[-2000:]
    sent_by = [int(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(sent_by) == CASES
    assert all(n > 0 for n in sent_by), f"one exporter did everything: {sent_by}"
    failed_posts = len(hook.requests) - sum(accepted.values())
    assert failed_posts > 0  # the receiver was flaky indeed
    assert accepted == Counter({case_id: 1 for case_id in ids}), "a case arrived twice or never"
    assert {p["case_id"] for p in hook.stored.values()} == set(ids)
    with engine.connect() as conn:
        states = conn.execute(text("SELECT state, count(*) FROM export GROUP BY state")).all()
        events = conn.execute(
            text("SELECT case_id, count(*) FROM case_event WHERE kind = 'export' GROUP BY case_id")
        ).all()
    assert dict(states) == {"sent": CASES}
    assert {n for _, n in events} == {1}  # one "sent to" entry per case

"""The sign-in throttle lives in the database: dashboard instances lock a name together."""

import subprocess
import sys
import time

from sqlalchemy import Engine, text

from dashboard.auth import LOCKOUT, MAX_FAILURES, Throttle
from storage import make_engine
from storage.throttle import name_key

#: Another "dashboard instance": its own process and engine, failing sign-ins for a name.
FAIL_IN_ANOTHER_PROCESS = """
import sys
from dashboard.auth import Throttle
from storage import make_engine
throttle = Throttle(make_engine(sys.argv[1]))
for _ in range(int(sys.argv[3])):
    throttle.failed(sys.argv[2])
"""


def test_two_engines_share_the_failures(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    one, other = Throttle(make_engine(url)), Throttle(make_engine(url))
    now = time.time()
    for attempt in range(MAX_FAILURES - 1):
        one.failed("sam", now=now + attempt)
    assert other.locked_for("sam", now=now + 10) == 0
    other.failed("Sam ", now=now + 10)  # the same name, typed differently, elsewhere
    wait = one.locked_for("SAM", now=now + 11)
    assert LOCKOUT - 2 < wait <= LOCKOUT
    assert one.locked_for("ana", now=now + 11) == 0
    assert other.locked_for("sam", now=now + 10 + LOCKOUT + 1) == 0  # the lock ends
    one.succeeded("sam")
    assert other.locked_for("sam", now=now + 12) == 0  # a sign-in forgets the failures


def test_another_process_locks_the_name_here(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    here = Throttle(engine)
    assert here.locked_for("vic") == 0
    subprocess.run(
        [sys.executable, "-c", FAIL_IN_ANOTHER_PROCESS, url, "vic", str(MAX_FAILURES)],
        check=True,
        timeout=60,
    )
    assert here.locked_for("vic") > LOCKOUT - 60
    with engine.connect() as conn:  # the name is not stored as typed
        keys = set(conn.execute(text("SELECT name_key FROM signin_failure")).scalars())
    assert keys == {name_key("vic")} and "vic" not in keys


def test_old_failures_are_forgotten(engine: Engine) -> None:
    throttle = Throttle(engine)
    long_ago = time.time() - 86400
    for attempt in range(MAX_FAILURES):
        throttle.failed("old", now=long_ago + attempt)
    assert throttle.locked_for("old") == 0
    throttle.failed("new")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM signin_failure")).scalar() == 1

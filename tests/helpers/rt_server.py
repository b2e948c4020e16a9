"""A throwaway Request Tracker 5 (Debian's request-tracker5 + rt5-db-sqlite + rt5-standalone).

Everything is written under a temporary directory: the site config is named by
``RT_SITE_CONFIG`` (and ``RT_SITE_CONFIG_DIR`` points at an empty directory, so the global
``/etc/request-tracker5/RT_SiteConfig.d`` is not read), the SQLite database, Mason's cache
and sessions. ``rt-setup-database-5 --action init`` creates the database, a small ``perl -e``
with RT's own libraries makes an auth token for root (REST 2's ``Authorization: token``),
and ``rt-server`` (Plack's standalone server) listens on 127.0.0.1 on a free port until the
fixture ends. About 10 s in all on a quiet machine.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

RT_LIB = Path("/usr/share/request-tracker5/lib")
RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP = Path("/usr/sbin/rt-setup-database-5")

SITE_CONFIG = """\
Set($rtname, 'grapevine-test');
Set($Organization, 'grapevine.test');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{root}/rt.db');
Set($DatabaseUser, '');
Set($DatabasePassword, '');
Set($WebPath, '');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'error');
Set($LogToFile, undef);
Set($MailCommand, 'testfile');
Set($Timezone, 'UTC');
$RT::MasonDataDir = '{root}/mason_data';
$RT::MasonSessionDir = '{root}/session_data';
$RT::VarPath = '{root}/var';
1;
"""

TOKEN_SCRIPT = """
use RT; RT::LoadConfig(); RT::Init();
my $u = RT::User->new(RT->SystemUser); $u->Load('root') or die "no root user";
my $t = RT::AuthToken->new(RT::CurrentUser->new($u));
my ($ok, $msg, $token) = $t->Create(Owner => $u->Id, Description => 'grapevine tests');
die "$msg\\n" unless $ok; print "$token\\n";
"""


def missing() -> str | None:
    """Why RT cannot run here (None: it can)."""
    for path in (RT_LIB, RT_SERVER, RT_SETUP):
        if not path.exists():
            return (
                f"{path} is missing (apt-get install request-tracker5 rt5-db-sqlite rt5-standalone)"
            )
    if shutil.which("perl") is None:
        return "perl is missing"
    return None


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RtServer:
    """A running RT: its REST 2 URL, root's token and a small admin client for the tests."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """A REST 2 call as root (the tests' "person working in RT")."""
        response = requests.request(
            method, self.url + path.lstrip("/"),
            headers={"Authorization": f"token {self.token}"}, timeout=30, **kwargs,
        )  # fmt: skip
        response.raise_for_status()
        return response.json()

    def tickets(self, query: str = "id > 0") -> list[dict[str, Any]]:
        """The tickets matching TicketSQL ``query`` with subject and status."""
        found = self.api("GET", "tickets", params={"query": query, "fields": "Subject,Status"})
        return list(found["items"])


def _env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RT_SITE_CONFIG": str(root / "RT_SiteConfig.pm"),
        "RT_SITE_CONFIG_DIR": str(root / "site_config.d"),
        "PERL5LIB": str(RT_LIB),
    }


def start_rt(root: Path, *, timeout: float = 90.0) -> RtServer:
    """Set up a database under ``root`` and start RT on 127.0.0.1 (stop it with ``stop_rt``)."""
    port = free_port()
    for sub in ("site_config.d", "mason_data", "session_data", "var"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "RT_SiteConfig.pm").write_text(SITE_CONFIG.format(root=root, port=port))
    env = _env(root)
    subprocess.run(
        [str(RT_SETUP), "--action", "init", "--skip-create"],
        env=env, cwd=root, check=True, capture_output=True, timeout=timeout,
    )  # fmt: skip
    made = subprocess.run(
        ["perl", "-I", str(RT_LIB), "-e", TOKEN_SCRIPT],
        env=env, cwd=root, check=True, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    token = made.stdout.strip().splitlines()[-1]
    log = open(root / "rt-server.log", "wb")  # noqa: SIM115 (the server writes to it)
    process = subprocess.Popen(
        [str(RT_SERVER), "--server", "Standalone", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    server = RtServer(f"http://127.0.0.1:{port}/REST/2.0/", token, root, process)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                "rt-server exited: " + (root / "rt-server.log").read_text(errors="replace")[-2000:]
            )
        try:
            server.api("GET", "queues/all")
            return server
        except requests.RequestException:
            if time.monotonic() > deadline:
                stop_rt(server)
                raise RuntimeError(f"RT did not answer within {timeout:g} s") from None
            time.sleep(0.3)


def stop_rt(server: RtServer) -> None:
    """Stop the server (its whole process group) and wait for it."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


def rt_fixture(tmp_path_factory: Any) -> Iterator[RtServer]:
    """The body of the session-scoped ``rt`` fixture (skip or fail when RT is missing)."""
    import pytest

    reason = missing()
    if reason is not None:
        if os.environ.get("GRAPEVINE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Request Tracker is required (GRAPEVINE_REQUIRE_SERVICES=1): {reason}")
        pytest.skip(reason)
    server = start_rt(tmp_path_factory.mktemp("rt"))
    try:
        yield server
    finally:
        stop_rt(server)

"""A config with a quick and a slow feed, for tests that act on a run while it crawls.

``/quick.xml`` is a recorded Google Alerts feed; ``/slow.xml`` answers after ``delay`` seconds,
so a test can wait until the run asks for it (``site.requests``) and then kill it, take its
lock or stop it.
"""

from helpers.httpserver import Reply

CONFIG = """
[brand]
name = "Slack"

[alerts]
digest = false

[[sources]]
name = "quick"
type = "feed"
urls = ["{base}/quick.xml"]

[[sources]]
name = "slow"
type = "feed"
urls = ["{base}/slow.xml"]
"""


def routes(delay: float) -> dict[str, Reply]:
    """The two feeds, the slow one answering after ``delay`` seconds."""
    return {
        "/quick.xml": Reply.fixture("rss/google_alerts_atom_slack.xml"),
        "/slow.xml": Reply("<feed/>", delay=delay, content_type="application/atom+xml"),
    }

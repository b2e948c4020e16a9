"""The files ``grapevine init`` writes: a commented starter config and an example CRM export."""

import json
from importlib import resources
from pathlib import Path

from triage.templates import copy_defaults

STARTER_CONFIG = """\
# Grapevine configuration. Every key is shown; most have sensible defaults.
# Secrets never go in this file: settings ending in _env name an environment variable.

[brand]
name = {brand}
# Words, @handles and domains that name the brand (whole words, any case).
terms = {terms}
# Phrases that contain a term but are not about you.
exclusions = []

# Competitors, for share of voice (add as many as you like).
# [[competitors]]
# name = "Beanstalk Roasters"
# terms = ["Beanstalk Roasters", "@beanstalkroasters"]

[database]
# SQLite next to this file by default; PostgreSQL by URL alone, e.g.
# url = "postgresql://grapevine@db.internal:5432/grapevine"
# GRAPEVINE_DATABASE_URL in the environment overrides this.
url = "sqlite:///grapevine.db"

[crawl]
user_agent = "GrapevineBot/0.1 (+https://example.com/contact)"  # say who you are
obey_robots = true
autothrottle = true
concurrency_per_domain = 2
download_delay = 0.5      # seconds between requests to one site
timeout = 30              # seconds per request
retries = 3               # on 429 and 5xx, with backoff
max_retry_wait = 120      # longest Retry-After honoured (seconds); longer: reported
progress_interval = 30    # seconds between progress lines during long crawls (0: none)
max_pages = 50            # listing pages per source per run, at most (the rest: next run)
max_items = 5000          # items per source per run, at most (the rest: next run; 0: no cap)
overlap_days = 3          # re-read this far behind the last run (late and backfilled items)
max_page_mb = 32          # largest page, decompressed (MB); a bigger one fails its source
http_cache = false        # true while developing a spider

# Many machines (README "Scaling out"): Celery workers on one broker, one PostgreSQL.
# Without a broker everything runs in this process, as always.
# [cluster]
# broker_url = "redis://127.0.0.1:6379/0"   # or GRAPEVINE_BROKER_URL; then `grapevine worker`
# max_attempts = 3                          # a crawl task that keeps failing is dead after
# day_timeout_minutes = 240                 # `grapevine run --distributed` waits this long

# One [[sources]] entry per place to listen. Every source accepts: name, type, brand
# (default: your brand), base_url (stand in for the real site), match_terms, enabled, max_pages.
# Types: trustpilot, appstore, reddit, hackernews, mastodon, bluesky, feed, schemaorg.
{sources}
[analysis]
# Company lexicon: words VADER should score differently (-4..4), e.g. a product called "Killer".
lexicon = {{}}
# Extra or replacement aspect keywords, e.g. subscription = ["skip", "pause", "plan"]
aspects = {{}}
# Order numbers in review text, for linking a mention to a customer (group 1 is the number).
order_number_pattern = '\\b(LW-\\d{{6}})\\b'
# Mentions in a language without a pack (not scored): "triage" queues them all, "skip" by rating.
# unscored_languages = "triage"

[triage]
sla_hours = 24            # first action due this long after a case opens
urgent_sla_hours = 4      # ... or this long when priority >= urgent_priority
urgent_priority = 0.7
follow_up_days = [30, 60, 90]
templates_dir = "templates"
competitor_cases = false  # open cases for competitors' unhappy customers too
max_new_cases_per_source = 200  # flood control: cases per source per run (the rest wait; 0: no cap)

[schedule]
times = ["07:00"]         # when `grapevine schedule` runs the daily job
timezone = "UTC"
run_missed = true         # run at start-up when a scheduled run was missed
export_every_minutes = 5  # send what is due to the support queue this often (0: off)
run_timeout_minutes = 240 # a run still going after this is stopped
stop_grace_seconds = 120  # how long a stopping run may take before it is killed

[export]
retry_base_minutes = 5    # failed deliveries are retried after 5, 10, 20... minutes
retry_max_hours = 6       # ...at most this far apart, and never given up
stop_after_failures = 3   # consecutive failures that end a target's turn in a run

# Support-queue targets: webhook, email, file or a helpdesk. A target without rules gets every case.
# [[targets]]
# name = "helpdesk"
# type = "email"
# to = ["support@example.com"]
# smtp_host = "smtp.example.com"
# smtp_port = 587
# starttls = true
# username_env = "GRAPEVINE_SMTP_USER"
# password_env = "GRAPEVINE_SMTP_PASSWORD"
# rules = {{ complaint = true, max_rating = 2, any_of = true }}
#
# [[targets]]
# name = "crm"
# type = "webhook"
# url = "https://crm.example.com/hooks/grapevine"
# secret_env = "GRAPEVINE_CRM_SECRET"      # X-Grapevine-Signature-256: HMAC-SHA256 of the body
# headers_env = {{ Authorization = "GRAPEVINE_CRM_TOKEN" }}
# rules = {{ min_priority = 0.6 }}
#
# [[targets]]
# name = "sheet"
# type = "file"
# path = "exports/cases.csv"
# format = "csv"                            # or jsonl
#
# A helpdesk (rt, zendesk or freshdesk): one ticket per case, its status synced back
# (README, "Helpdesks").
# [[targets]]
# name = "rt"
# type = "rt"
# url = "https://rt.example.com/REST/2.0/"
# queue = "General"
# token_env = "GRAPEVINE_RT_TOKEN"

# The weekly report (`grapevine report`), emailed by `grapevine schedule` on `day`.
# [report]
# weekly = true
# day = "monday"
# time = "08:00"
# format = "pdf"                            # or html
# to = ["marketing@example.com"]
# smtp_host = "smtp.example.com"
# smtp_port = 587
# starttls = true
# username_env = "GRAPEVINE_SMTP_USER"
# password_env = "GRAPEVINE_SMTP_PASSWORD"

[alerts]
digest = true
spike_factor = 3.0        # alert when cases needing attention exceed 3x the recent baseline
spike_min_count = 5
spike_baseline_days = 14
spike_cooldown_hours = 24
silence_factor = 3.0      # a source silent for 3x its usual gap between new mentions
failed_runs = 3           # or failing this many runs in a row
# channels = [{{ type = "webhook", name = "slack", url_env = "GRAPEVINE_SLACK_WEBHOOK" }}]

# How long Grapevine keeps what it collected, in days (a key left out: kept for ever).
# The daily job applies it; `grapevine retention --dry-run` shows what a run would remove.
[retention]
raw_payload_days = 30       # raw payloads (only the ids the product uses are stored)
crawl_run_days = 180        # crawl runs and their stats (each source's newest stays)
# mention_text_days = 365   # blank mention text and title (scores, ratings, counts stay)
# closed_case_days = 730    # anonymise closed cases (their counts and timings stay)
# audit_days = 1095         # the audit trail (left out: kept for ever)
keep_raw = false            # true: store the whole raw payload a source served

# Dashboard users (no users: the dashboard only listens on 127.0.0.1).
# Make a hash with `grapevine users hash`.
# [[users]]
# name = "sam"
# role = "responder"      # viewer, responder or admin
# password_hash = "$argon2id$..."

[dashboard]
host = "127.0.0.1"
port = 8501
# public_url = "https://grapevine.example.com"   # the base of case links in exports and alerts
# Or sign in through your company's identity provider (Streamlit's st.login): put the
# provider's settings (an [auth] table) in .streamlit/secrets.toml next to this file, then
# uncomment:
# [dashboard.oidc]
# roles = {{ "ana@example.com" = "admin" }}
# default_role = "viewer"  # any other signed-in person; leave out to refuse them
"""

EXAMPLE_SOURCES = """\
[[sources]]
name = "news-alerts"
type = "feed"
# Create a Google Alert for your brand ("Deliver to: RSS feed") and paste its feed address:
urls = ["https://www.google.com/alerts/feeds/00000000000000000000/0000000000000000000"]
enabled = false           # remove this line once the address above is yours

# [[sources]]
# name = "trustpilot"
# type = "trustpilot"
# domain = "example.com"

# [[sources]]
# name = "app-reviews"
# type = "appstore"
# app_id = "375380948"
# countries = ["us", "gb"]
# format = "xml"           # xml carries dates; json only in newer feeds

# [[sources]]
# name = "reddit"
# type = "reddit"
# query = '"Example Co"'     # search results are kept as returned (quotes: exact phrase)
# subreddits = ["coffee"]    # new posts there are kept when they name a brand
# comments = false           # also comments (subreddits' newest, search threads' trees)
# more_comments = 1          # requests per thread expanding "load more comments"

# [[sources]]
# name = "hacker-news"
# type = "hackernews"
# query = "Example Co"
# comments = false           # also the whole comment tree of each new story

# [[sources]]
# name = "mastodon"
# type = "mastodon"
# base_url = "https://mastodon.social"
# hashtags = ["exampleco"]
# query = "Example Co"       # needs a signed-in token on most instances
# token_env = "GRAPEVINE_MASTODON_TOKEN"

# [[sources]]
# name = "mentions-of-our-account"
# type = "mastodon_notifications"   # what people say to the brand's own account
# base_url = "https://mastodon.social"
# token_env = "GRAPEVINE_MASTODON_TOKEN"   # scopes: read:notifications read:statuses write:statuses
# account = "@exampleco"   # its replies in a thread mark the case answered

# [[sources]]
# name = "bluesky"
# type = "bluesky"
# query = "Example Co"
# handle_env = "GRAPEVINE_BSKY_HANDLE"     # sign in with an app password where required
# password_env = "GRAPEVINE_BSKY_APP_PASSWORD"

# [[sources]]
# name = "reviews-on-our-shop"
# type = "schemaorg"
# urls = ["https://shop.example.com/product/1"]
# next_selector = "a.next"   # when pages have no rel=next
"""


def starter_config(
    brand: str = "Example Co", terms: list[str] | None = None, sources: str = EXAMPLE_SOURCES
) -> str:
    """The text of a commented starter ``grapevine.toml``.

    Names are written as TOML strings (a JSON string is one), so a brand like
    ``Joe's "Best" Coffee`` gives a valid file.
    """
    quoted = ", ".join(_toml_string(t) for t in (terms or [brand]))
    return STARTER_CONFIG.format(brand=_toml_string(brand), terms=f"[{quoted}]", sources=sources)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def example_customers() -> str:
    """An example CRM export (the demo's customers)."""
    return resources.files("grapevine").joinpath("demo_data/customers.csv").read_text("utf-8")


def write_starter(
    directory: Path, *, config_text: str | None = None, force: bool = False
) -> list[Path]:
    """Write ``grapevine.toml``, ``customers.csv`` and ``templates/`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    files = {
        directory / "grapevine.toml": config_text or starter_config(),
        directory / "customers.csv": example_customers(),
    }
    for path, text in files.items():
        if force or not path.exists():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    written += copy_defaults(directory / "templates")
    return written

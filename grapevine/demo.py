"""``grapevine demo``: a config for the bundled demo site, ready for the real daily job."""

from pathlib import Path

from grapevine.starter import starter_config, write_starter

DEMO_TERMS = ["Larkwood", "@larkwoodcoffee", "larkwoodcoffee.example"]


def demo_sources(site_url: str) -> str:
    """The ``[[sources]]`` of the demo: a review site, a feed of forum posts and news, and a
    subreddit."""
    return f'''\
[[sources]]
name = "review-site"
type = "schemaorg"
urls = ["{site_url}/reviews/larkwood"]

[[sources]]
name = "forums-and-news"
type = "feed"
urls = ["{site_url}/feeds/mentions.xml"]

[[sources]]
name = "reddit-coffee"
type = "reddit"
subreddits = ["coffee"]
base_url = "{site_url}"

[[competitors]]
name = "Beanstalk Roasters"
terms = ["Beanstalk Roasters", "@beanstalkroasters"]
'''


def demo_config(site_url: str, dashboard_port: int = 8501) -> str:
    """The demo's ``grapevine.toml``: the starter config aimed at the local demo site."""
    text = starter_config("Larkwood Coffee", DEMO_TERMS, demo_sources(site_url))
    text = text.replace("exclusions = []", 'exclusions = ["Larkwood Lane"]', 1)
    # a local site: no need to be slow
    text = text.replace("download_delay = 0.5", "download_delay = 0", 1)
    text = text.replace("autothrottle = true", "autothrottle = false", 1)
    text = text.replace("port = 8501", f"port = {dashboard_port}", 1)
    return text


def prepare_demo(directory: Path, site_url: str, dashboard_port: int = 8501) -> Path:
    """Write the demo's config, customers and templates into ``directory``; the config path.

    The config is rewritten on every demo run (the site's port may change); the database,
    customers and templates are kept.
    """
    write_starter(directory)
    path = directory / "grapevine.toml"
    path.write_text(demo_config(site_url, dashboard_port), encoding="utf-8")
    return path

"""Scrapy settings for Grapevine's crawler (the project defaults; the runner adds the config).

Politeness first: robots.txt, AutoThrottle, a real User-Agent with a contact URL, a small
per-domain concurrency, retries with backoff on 429/5xx. Our own settings carry the
``GRAPEVINE_`` prefix:

* ``GRAPEVINE_DATABASE_URL`` — store mentions and crawl runs (off: items only go to feeds).
* ``GRAPEVINE_BRANDS`` — the brand and competitors with their terms, for matching.
* ``GRAPEVINE_LEXICON`` / ``GRAPEVINE_ASPECTS`` — the company lexicon and aspect keywords.
* ``GRAPEVINE_BATCH_SIZE`` — mentions written per database transaction.
* ``GRAPEVINE_ANALYSIS_WORKERS`` — processes that analyse and store beside the crawl (0: in
  it); ``GRAPEVINE_MAX_PENDING_BATCHES`` — batches handed over before the crawl waits.
* ``GRAPEVINE_RETRY_BACKOFF`` / ``GRAPEVINE_RETRY_BACKOFF_MAX`` / ``GRAPEVINE_MAX_RETRY_WAIT`` —
  waits before retries (:mod:`crawler.middlewares`).
* ``GRAPEVINE_MAX_ERRORS`` / ``GRAPEVINE_MAX_DROPPED_SHARE`` — health limits
  (:mod:`crawler.monitors`, run by spidermon when a crawl closes).

Bounds: ``DOWNLOAD_MAXSIZE`` (32 MB, ``[crawl] max_page_mb``; applied to the decompressed body
too) and ``DOWNLOAD_TIMEOUT`` (the whole download, trickling pages included); a page over the
size limit, a redirect loop and a chain over ``REDIRECT_MAX_TIMES`` are failures of the
source with their reason (:mod:`crawler.middlewares`), never a quiet "nothing new".
"""

BOT_NAME = "grapevine"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "GrapevineBot/0.1 (+https://github.com/grapevine-monitor/grapevine)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
# A page (a feed, a JSON page, a review page) is kilobytes to a few MB; 32 MB is far above
# any real one and keeps a crawl's memory bounded. Scrapy applies it to the decompressed body
# too (HttpCompressionMiddleware, Scrapy >= 2.11), which is what stops a gzip bomb.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]

TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.logformatter.ItemIdLogFormatter"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.LoudMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.BoundedCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.LoudRedirectMiddleware": 600,
    # below the retry middleware: it sees the failures that are not retried
    "crawler.middlewares.DownloadFailureMiddleware": 545,
    # cluster: one delay per domain across workers (NotConfigured without GRAPEVINE_REDIS_URL)
    "crawler.cluster_politeness.ClusterPolitenessMiddleware": 800,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.PageCountMiddleware": 60,
}

ITEM_PIPELINES = {
    "crawler.pipelines.NormalisePipeline": 100,
    "crawler.pipelines.BrandMatchPipeline": 200,
    "crawler.pipelines.AnalysisPipeline": 300,
    # raw payloads cut down to the ids the product uses (off with [retention] keep_raw)
    "crawler.minimise.MinimisePipeline": 350,
    "crawler.pipelines.StoragePipeline": 400,
}
EXTENSIONS = {
    # spidermon first: its monitors must have run when the CrawlRun is closed
    "spidermon.contrib.scrapy.extensions.Spidermon": 400,
    "crawler.extensions.CrawlRunRecorder": 500,
    # cluster: a spider on a shared scrapy-redis queue closes when the source is quiet
    "crawler.shared_queue.SharedIdleClose": 510,
}

SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.monitors.CrawlHealthSuite"]
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True
SPIDERMON_FIELD_COVERAGE_SKIP_FALSY = False
SPIDERMON_FIELD_COVERAGE_SKIP_VALUES: list[object] = []  # None is skipped; "" never reaches it
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True
SPIDERMON_DICT_FIELDS_COVERAGE_LEVELS = 0
SPIDERMON_FIELD_COVERAGE_RULES = {
    "MentionItem/external_id": 1.0,
    "MentionItem/url": 1.0,
    "MentionItem/author": 1.0,
    "MentionItem/text": 1.0,
    "MentionItem/published_at": 1.0,
}

GRAPEVINE_DATABASE_URL = None
GRAPEVINE_BRANDS: list[dict[str, object]] = []
GRAPEVINE_LEXICON: dict[str, float] = {}
GRAPEVINE_ASPECTS: dict[str, list[str]] = {}
GRAPEVINE_BATCH_SIZE = 200
GRAPEVINE_ANALYSIS_WORKERS = None  # None: 1 worker process on 2+ cores, else 0 (in process)
GRAPEVINE_MAX_PENDING_BATCHES = 4
GRAPEVINE_RETRY_BACKOFF = 1.0
GRAPEVINE_RETRY_BACKOFF_MAX = 60.0
GRAPEVINE_MAX_RETRY_WAIT = 120.0
GRAPEVINE_MAX_ERRORS = 0
GRAPEVINE_MAX_DROPPED_SHARE = 0.5

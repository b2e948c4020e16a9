"""Crawler: the Scrapy project (one spider per source, items, pipelines, in-process runner)."""

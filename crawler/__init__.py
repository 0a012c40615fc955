"""Collecting articles: Scrapy spiders, listings (feeds, sitemaps, section pages), the
extraction and language steps, and the worker pool they run in.

May import the ground (`veille.model` and its neighbours) and `storage/` (the URL
memory, HTTP validators); never `scheduler/`. What the crawl needs from above, the
scheduler passes in when it builds it: `crawler.context.CrawlContext` holds the item
handler and the URL key, `crawler.workers.ExtractionPool` takes the analysis its
workers run.
"""

"""Collecting articles: Scrapy spiders and the extraction and language steps they feed."""

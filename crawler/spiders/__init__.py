"""Scrapy spiders of veille."""

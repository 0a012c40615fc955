"""veille: a scheduled news-monitoring crawler for French-language media."""

__version__ = "0.1.0"

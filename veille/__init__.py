"""veille: a scheduled news-monitoring crawler for French-language media.

This package holds the ground every room stands on (`model`: the shared types;
`config`, `net`, `text`, `redact`: small helpers that import nothing else of veille)
and, on top of everything, the command line (`cli/`) and the demo (`demo/`).
"""

__version__ = "0.1.0"

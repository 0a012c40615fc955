"""The offline demo and the local news sites that the demo, the tests and the benchmarks
serve on 127.0.0.1: `site` (the HTTP server with programmable routes), `pages`
(article pages, feeds and sitemaps written like French outlets'), `content` (the
demo's articles) and `run` (`veille demo`)."""

"""When crawls run: one run from start to finish (`oneshot`), the daemon that runs each
source on its interval (`daemon`), and the per-source locks that keep two processes
off one source (`locks`)."""

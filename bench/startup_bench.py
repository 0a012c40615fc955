"""Start-up cost: `veille crawl` of one unchanged source, and `veille --help`.

    python bench/startup_bench.py [--runs 5]

Serves one feed of 20 articles with an ETag on 127.0.0.1, crawls it once (the
articles are stored), then crawls it --runs more times: every answer is a 304, so
what is measured is what a scheduled crawl that finds nothing new costs (wall time,
and CPU of the process and every process it waited for). Medians; targets from
issue 15: <= 1.5 s wall and <= 1 s CPU; `veille --help` <= 0.3 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sites import unchanging_feed
from veille.demo.site import NewsSite


def timed(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process and its waited-for children, exit)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", help="cProfile one more unchanged crawl into this file")
    args = parser.parse_args()
    site = NewsSite()
    feed = unchanging_feed(site, "/one", 20)
    with site, tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        sources.write_text(f'[[source]]\nname = "one"\nurl = "{feed}"\n'
                           "allow_private = true\n", encoding="utf-8")
        crawl = [sys.executable, "-m", "veille", "-q", "--db", f"{tmp}/v.db", "--sources",
                 str(sources), "crawl"]
        first = timed(crawl)
        print(f"first crawl (20 articles stored): {first[0]:.2f} s wall, {first[1]:.2f} s CPU, "
              f"exit {first[2]}")
        runs = [timed(crawl) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"unchanged source ({site.answered(304)} answers 304 in all): {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU (median of {args.runs}; targets <= 1.5 s and <= 1 s)")
        if args.profile:
            timed([sys.executable, "-m", "cProfile", "-o", args.profile, *crawl[1:]])
    helps = [timed([sys.executable, "-m", "veille", "--help"])[0] for _ in range(args.runs)]
    print(f"veille --help: {statistics.median(helps):.2f} s wall (target <= 0.3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

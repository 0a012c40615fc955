"""What the daemon costs with many sources on short intervals: one crawl process per
source against sources due together sharing one.

    python bench/daemon_bench.py [--sources 100] [--hosts 10] [--every 60] [--minutes 10]
        [--modes 0,10s]

Serves --sources feeds (5 articles each, with ETags: after the first run every feed
answers 304, the steady state of a monitored outlet) on --hosts loopback addresses
(127.0.0.2 ...), and runs `veille run` on them for --minutes with each
--batch-window of --modes in turn (0: one crawl process per source, as before issue
15). For each: CPU seconds of the daemon's whole process tree (sampled from /proc
every 50 ms; crawls and their workers included) per hour, crawl processes started,
runs recorded per source, and runs missed or skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.crawl_bench import _cpu_seconds, _descendants
from bench.sites import unchanging_feed
from veille.demo.site import NewsSite


def build(sources: int, hosts: int) -> tuple[list[NewsSite], list[tuple[str, str]]]:
    sites = [NewsSite(host=f"127.0.0.{k + 2}") for k in range(hosts)]
    feeds = [(f"source{i:03d}", unchanging_feed(sites[i % hosts], f"/s{i}", 5))
             for i in range(sources)]
    return sites, feeds


def run_daemon(workdir: Path, feeds: list[tuple[str, str]], every: int, window: str,
               seconds: float) -> dict[str, float]:
    sources = workdir / "sources.toml"
    sources.write_text("".join(f'[[source]]\nname = "{name}"\nurl = "{url}"\nevery = "{every}s"'
                               f'\nallow_private = true\n\n' for name, url in feeds),
                       encoding="utf-8")
    db = workdir / "veille.db"
    command = [sys.executable, "-m", "veille", "-q", "--db", str(db), "--sources", str(sources),
               "run", "--batch-window", window]
    daemon = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu: dict[int, float] = {}
    crawls: set[int] = set()
    started = time.monotonic()
    while time.monotonic() - started < seconds and daemon.poll() is None:
        for pid in _descendants(daemon.pid):
            cpu[pid] = max(cpu.get(pid, 0.0), _cpu_seconds(pid))
            with contextlib.suppress(OSError):
                if b" crawl " in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" "):
                    crawls.add(pid)
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=60)
    from storage.db import open_db
    from storage.runs import source_run_counts

    with open_db(db, migrate=False) as opened:
        counts = source_run_counts(opened)
    return {"cpu_per_hour": sum(cpu.values()) * 3600 / elapsed, "elapsed": elapsed,
            "processes": len(crawls), "ok": counts.get("ok", 0),
            "missed": counts.get("missed", 0) + counts.get("skipped", 0),
            "failed": sum(v for k, v in counts.items() if k not in ("ok", "missed", "skipped"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--every", type=int, default=60, help="seconds between runs")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--modes", default="0,10s", help="--batch-window values to compare")
    args = parser.parse_args()
    sites, feeds = build(args.sources, args.hosts)
    print(f"{args.sources} sources on {args.hosts} hosts, each every {args.every} s, "
          f"{args.minutes:g} min per mode", flush=True)
    with contextlib.ExitStack() as stack:
        for site in sites:
            stack.enter_context(site)
        for window in args.modes.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                result = run_daemon(Path(tmp), feeds, args.every, window, args.minutes * 60)
            print(f"--batch-window {window:>4}: {result['cpu_per_hour']:7.0f} CPU s per hour, "
                  f"{result['processes']} crawl processes in {result['elapsed']:.0f} s, "
                  f"{result['ok']} source runs ok, {result['missed']} missed or skipped, "
                  f"{result['failed']} failed or interrupted by the stop", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

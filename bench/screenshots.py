"""Screenshots of the report and the Datasette pages, for a reviewer (not run by CI).

    python bench/screenshots.py [--db demo/veille-demo.db] [--out bench/out/screens]

Renders `veille report` to HTML and starts `veille datasette` on the database, then asks
headless Chromium (Debian package `chromium`) for a PNG of: the report, the database
page, the tagged articles, the top stories, a story timeline and the dashboard. Run
`veille demo` first for the default database.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PAGES = {"database": "/{db}", "tagged_articles": "/{db}/tagged_articles",
         "top_stories": "/{db}/top_stories", "story_timeline": "/{db}/story_timeline",
         "dashboard": "/-/dashboards/veille"}


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    raise SystemExit("no Chromium found: apt install chromium")


def shoot(browser: str, url: str, png: Path, width: int = 1280) -> None:
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--virtual-time-budget=8000",
                    f"--window-size={width},2200",
                    f"--screenshot={png}", url], check=True, capture_output=True, timeout=120)
    print(f"{png} <- {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("demo/veille-demo.db"))
    parser.add_argument("--out", type=Path, default=Path("bench/out/screens"))
    args = parser.parse_args()
    browser = chromium()
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / "rapport.html"
    veille = [sys.executable, "-m", "veille", "--db", str(args.db)]
    subprocess.run([*veille, "report", "--since", "30d", "--out", str(report)], check=True)
    shoot(browser, report.resolve().as_uri(), args.out / "report.png")
    shoot(browser, report.resolve().as_uri(), args.out / "report-phone.png", width=400)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*veille, "datasette", "--port", str(port)])
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        for name, path in PAGES.items():
            shoot(browser, base + path.format(db=args.db.stem), args.out / f"{name}.png")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()

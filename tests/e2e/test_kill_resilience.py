"""SIGKILL at random points of a crawl, again and again: the database stays consistent and
the next run completes the work (bench/kill_bench.py runs more kills)."""

from __future__ import annotations

from bench.kill_bench import run_kills

ARTICLES = 30
KILLS = 5


def test_random_sigkills_leave_a_consistent_database(tmp_path):
    figures = run_kills(tmp_path, KILLS, ARTICLES)
    print(figures.line())
    assert figures.integrity_failures == 0
    assert figures.rows_lost == 0 and figures.rows_duplicated == 0
    assert figures.final_exit == 0
    assert figures.stored_at_the_end == ARTICLES
    assert figures.statuses[:KILLS] == ["interrupted"] * KILLS and figures.statuses[-1] == "ok"

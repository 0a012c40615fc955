"""Quality gate: copies, stories and wires on the labelled set (bench/stories/), crawled by
`veille crawl` from its outlets on 127.0.0.1, must stay at the figures the issue asks for."""

from __future__ import annotations

import pytest

from bench.eval_stories import crawl, explain, load, score


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    items = load()
    found = crawl(items, tmp_path_factory.mktemp("stories"))
    return score(items, found), explain(items, found)


def test_copies_are_found_and_only_copies(scored):
    scores, errors = scored
    assert scores.copy_precision >= 0.95 and scores.copy_recall >= 0.95, errors


def test_stories_bcubed_f1(scored):
    scores, errors = scored
    assert scores.bcubed_f1 >= 0.90, errors
    assert scores.story_precision >= 0.95, errors  # a wrong merge costs analysts most


def test_wire_attribution_and_no_false_friend(scored):
    scores, errors = scored
    assert scores.wire_accuracy >= 0.95, errors
    assert scores.false_friends_attributed == 0 and scores.false_friends >= 4

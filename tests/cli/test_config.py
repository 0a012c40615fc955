import pytest

from tests.helpers import run_veille
from veille.config import ConfigError, default_sources_path, load_sources

GOOD = """
[[source]]
name = "monde"
url = "https://www.example.fr/rss.xml"
kind = "feed"
"""


def write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_sources_defaults(tmp_path):
    source = load_sources(write(tmp_path, GOOD)).sources[0]
    assert (source.name, source.kind, source.enabled, source.allow_private) == (
        "monde", "feed", True, False)
    assert source.languages == ("fr",)


def test_shipped_sources_list_has_15_outlets():
    config = load_sources(default_sources_path())
    outlets = {s.url.split("/")[2].split(".")[-2] for s in config.sources}
    assert len(outlets) >= 15
    assert all(s.url.startswith(("http://", "https://")) for s in config.sources)


@pytest.mark.parametrize("text,needle", [
    (GOOD + "colour = 'red'\n", "source #1 'monde', key 'colour': unknown key"),
    ('[[source]]\nname = "monde"\n', "source #1 'monde', key 'url': missing required key"),
    ('[[source]]\nurl = "https://x.fr/rss"\n', "source #1, key 'name': missing required key"),
    (GOOD.replace('"feed"', '"rss"'), "key 'kind': must be one of feed, sitemap, page"),
    (GOOD.replace("https://www.example.fr/rss.xml", "/etc/passwd"),
     "key 'url': must be an http:// or https:// URL"),
    (GOOD.replace("https://www.example.fr/rss.xml", "file:///etc/passwd"), "key 'url'"),
    (GOOD + "enabled = 'yes'\n", "key 'enabled': expected true or false"),
    (GOOD + GOOD, "duplicate source name 'monde'"),
    ("[[source]\nname=", "invalid TOML"),
    ("", "no sources defined"),
    (GOOD + "languages = []\n", "key 'languages'"),
])
def test_load_sources_rejects_bad_files(tmp_path, text, needle):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert str(path) in str(info.value)
    assert needle in str(info.value)


def test_load_sources_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "nope.toml")


def test_cli_exits_2_naming_file_entry_and_key(tmp_path):
    path = write(tmp_path, GOOD + "colour = 'red'\n")
    result = run_veille("--db", str(tmp_path / "x.db"), "--sources", str(path), "crawl")
    assert result.returncode == 2
    assert f"{path}: source #1 'monde', key 'colour'" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_cli_exits_2_for_unknown_source_name(tmp_path):
    path = write(tmp_path, GOOD)
    result = run_veille("--db", str(tmp_path / "x.db"), "--sources", str(path), "crawl",
                        "--source", "nope")
    assert result.returncode == 2
    assert "no source named 'nope'" in result.stderr


def test_cli_reads_sources_from_environment(tmp_path):
    path = write(tmp_path, GOOD.replace('"feed"', '"rss"'))
    result = run_veille("crawl", env={"VEILLE_SOURCES": str(path),
                                      "VEILLE_DB": str(tmp_path / "x.db")})
    assert result.returncode == 2
    assert str(path) in result.stderr

"""curator.enrich.labels: the source label shown after each link, one rule at a time."""

from __future__ import annotations

import pytest

from curator.enrich.labels import (
    Signals,
    blog_author,
    clean_site_name,
    is_host_name,
    known_label,
    link_label,
)


def label_of(url: str, site_name: str | None, author: str | None, labels: dict[str, str]) -> str:
    return link_label(url, Signals(og_site_name=site_name, author=author), labels)


# The built-in labels the newsletter relies on: the sites its issues cite most.
REQUIRED_LABELS = {
    "theverge.com": "The Verge",
    "nature.com": "Nature",
    "independent.co.uk": "Independent",
    "mckinsey.com": "McKinsey",
    "mck.co": "McKinsey",
    "pnas.org": "PNAS",
    "nytimes.com": "The New York Times",
    "theguardian.com": "The Guardian",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "reuters.com": "Reuters",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "bloomberg.com": "Bloomberg",
    "arstechnica.com": "Ars Technica",
    "wired.com": "Wired",
    "techcrunch.com": "TechCrunch",
    "technologyreview.com": "MIT Technology Review",
    "science.org": "Science",
    "newscientist.com": "New Scientist",
    "quantamagazine.org": "Quanta Magazine",
    "axios.com": "Axios",
    "theatlantic.com": "The Atlantic",
    "newyorker.com": "The New Yorker",
    "openai.com": "OpenAI",
    "anthropic.com": "Anthropic",
    "deepmind.google": "Google DeepMind",
    "deepmind.com": "Google DeepMind",
    "blog.google": "Google",
    "ai.meta.com": "Meta AI",
    "huggingface.co": "Hugging Face",
    "github.com": "GitHub",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "arxiv.org": "arXiv",
    "spectrum.ieee.org": "IEEE Spectrum",
    "simonwillison.net": "Simon Willison",
    "news.ycombinator.com": "Hacker News",
    "lesswrong.com": "LessWrong",
    "substack.com": "Substack",
    "medium.com": "Medium",
    "statnews.com": "STAT",
    "semafor.com": "Semafor",
    "theinformation.com": "The Information",
    "404media.co": "404 Media",
    "platformer.news": "Platformer",
    "cnbc.com": "CNBC",
    "cnn.com": "CNN",
    "apnews.com": "AP News",
    "zdnet.com": "ZDNET",
    "engadget.com": "Engadget",
    "venturebeat.com": "VentureBeat",
    "fortune.com": "Fortune",
    "forbes.com": "Forbes",
    "businessinsider.com": "Business Insider",
    "vox.com": "Vox",
    "time.com": "TIME",
    "nautil.us": "Nautilus",
    "phys.org": "Phys.org",
    "sciencedaily.com": "ScienceDaily",
    "scientificamerican.com": "Scientific American",
    "lemonde.fr": "Le Monde",
    "spiegel.de": "Der Spiegel",
    "elpais.com": "El País",
}


@pytest.mark.parametrize(("domain", "label"), sorted(REQUIRED_LABELS.items()))
def test_built_in_map_labels_well_known_sites(domain: str, label: str) -> None:
    assert label_of(f"https://www.{domain}/some/story", None, None, {}) == label


def test_built_in_map_wins_over_the_page_site_name() -> None:
    url = "https://www.theverge.com/2023/12/20/ai-story"

    assert label_of(url, "Verge", "Jon Porter", {}) == "The Verge"


def test_built_in_map_matches_parent_domains() -> None:
    assert label_of("https://news.bbc.co.uk/2/hi/science/1.stm", None, None, {}) == "BBC"
    assert label_of("https://mck.co/3GFxSgg", None, None, {}) == "McKinsey"


def test_user_labels_win_over_the_built_in_map() -> None:
    labels = {"theverge.com": "Verge"}

    assert label_of("https://www.theverge.com/a", "The Verge", None, labels) == "Verge"


def test_user_labels_match_the_host_or_any_parent_domain() -> None:
    labels = {"example.com": "Example"}

    assert label_of("https://example.com/a", None, None, labels) == "Example"
    assert label_of("https://news.example.com/a", None, None, labels) == "Example"
    assert label_of("https://a.b.example.com/a", None, None, labels) == "Example"
    assert label_of("https://notexample.com/a", None, None, labels) == "notexample.com"


def test_the_most_specific_user_label_wins() -> None:
    labels = {"example.com": "Example", "news.example.com": "Example News"}

    assert label_of("https://news.example.com/a", None, None, labels) == "Example News"
    assert label_of("https://shop.example.com/a", None, None, labels) == "Example"


@pytest.mark.parametrize("key", ["www.example.com", "Example.COM", "https://www.example.com/"])
def test_user_label_keys_ignore_www_case_and_scheme(key: str) -> None:
    assert label_of("https://www.example.com/a", None, None, {key: "Ex"}) == "Ex"
    assert label_of("https://example.com/a", None, None, {key: "Ex"}) == "Ex"


def test_user_label_for_an_ip_address_host() -> None:
    labels = {"127.0.0.1": "Local"}

    assert label_of("http://127.0.0.1:8080/page", None, None, labels) == "Local"


def test_platform_subdomains_are_their_users_own_publications() -> None:
    assert label_of("https://substack.com/home", None, None, {}) == "Substack"
    url = "https://importai.substack.com/p/import-ai-355"
    assert label_of(url, "Import AI", "Jack Clark", {}) == "Import AI"


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/AravSrinivas/status/1737279359709487498",
        "https://x.com/AravSrinivas/status/1737279359709487498",
        "https://mobile.twitter.com/someone/status/1",
    ],
)
def test_posts_on_x_and_twitter_are_tweets(url: str) -> None:
    assert label_of(url, "X (formerly Twitter)", None, {}) == "Tweet"


def test_a_profile_on_x_is_not_a_tweet() -> None:
    assert label_of("https://x.com/AravSrinivas", None, None, {}) == "x.com"


def test_user_labels_win_over_the_tweet_rule() -> None:
    url = "https://x.com/someone/status/1"

    assert label_of(url, None, None, {"x.com": "X post"}) == "X post"


def test_site_name_is_used_with_whitespace_collapsed() -> None:
    url = "https://www.startupgrind.com/blog/funding"

    assert label_of(url, "  Startup\n  Grind ", None, {}) == "Startup Grind"


@pytest.mark.parametrize(
    "site_name", ["example.org", "Blog.Example.ORG", "https://example.org", ""]
)
def test_a_bare_domain_site_name_counts_as_absent(site_name: str) -> None:
    assert label_of("https://www.example.org/post", site_name, None, {}) == "example.org"


def test_site_name_wins_over_the_author() -> None:
    url = "https://blog.samaltman.com/what-i-wish-someone-had-told-me"

    assert label_of(url, "Sam's Blog", "Sam Altman", {}) == "Sam's Blog"


@pytest.mark.parametrize(
    ("url", "author"),
    [
        ("https://blog.samaltman.com/what-i-wish-someone-had-told-me", "Sam Altman"),
        ("https://www.paulgraham.com/greatwork.html", "Paul Graham"),
        ("https://josenunez.dev/posts/1", "José Núñez"),
        ("https://jane-doe.co.uk/notes", "Jane Doe"),
        ("https://blog.janedoe.com/posts/small-tools/", "jane DOE"),
    ],
)
def test_personal_blogs_are_labelled_with_their_author(url: str, author: str) -> None:
    assert label_of(url, None, author, {}) == author


@pytest.mark.parametrize(
    "author",
    [
        "Jane Doe, John Roe",
        "Jane Doe; John Roe",
        "Jane Doe and John Roe",
        "jane@janedoe.com",
        "Staff",
    ],
)
def test_byline_lists_emails_and_unrelated_authors_are_not_blog_owners(author: str) -> None:
    assert label_of("https://blog.janedoe.com/post", None, author, {}) == "blog.janedoe.com"


def test_the_host_without_www_is_the_last_resort() -> None:
    assert label_of("https://www.example.com/a/b", None, None, {}) == "example.com"


def test_known_label_ignores_site_names_and_authors() -> None:
    assert known_label("https://www.nature.com/articles/x", {}) == "Nature"
    assert known_label("https://blog.janedoe.com/post", {}) is None


def test_clean_site_name() -> None:
    assert clean_site_name(" The \t Verge ") == "The Verge"
    assert clean_site_name("DW.COM") is None
    assert clean_site_name(None) is None


def test_blog_author_needs_a_name_of_some_length() -> None:
    assert blog_author("al.example", "Al") is None
    assert blog_author("blog.samaltman.com", "Sam Altman") == "Sam Altman"


@pytest.mark.parametrize(
    ("name", "host", "expected"),
    [
        ("Startup Grind", "startupgrind.com", True),
        ("UKBDNEWS", "ukbdnews.com", True),
        ("Sauvons l'Université !", "sauvonsluniversite.fr", True),
        ("Transistor", "share.transistor.fm", True),
        ("example.com", "example.com", True),
        ("Example News", "news.example.com", False),
        ("Python 3.12 released", "python.org", False),
        ("Co", "bbc.co.uk", False),
    ],
)
def test_is_host_name(name: str, host: str, expected: bool) -> None:
    assert is_host_name(name, host) is expected

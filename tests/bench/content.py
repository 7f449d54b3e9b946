"""Generated content for the benchmarks: article pages, feeds, arXiv API answers.

Pages imitate real news articles (50-300 KB: a head full of metadata, inline scripts and
styles, navigation, a long article, a footer), so that extraction costs what it costs on
real sites. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

WORDS = (
    "model data training inference latency benchmark agent reasoning memory token context "
    "attention retrieval evaluation dataset language vision robot policy chip accelerator "
    "cluster energy regulation safety alignment open source research paper result method "
    "the a of and to in for with on that is are was by as from at this we our their new "
    "large small fast slow better worse system network compute cost price market team"
).split()
SITES = ["Daily Circuit", "Example News", "Tech Ledger", "Signal & Noise", "The Loop", "", ""]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 24)) for _ in range(rng.randint(3, 7)))


_POOL = [paragraph(random.Random(n)) for n in range(300)]


def page(index: int, size: int, seed: int = 7) -> bytes:
    """An article page of about `size` bytes."""
    rng = random.Random(seed * 100_003 + index)
    title = sentence(rng, rng.randint(6, 12)).rstrip(".")
    site = rng.choice(SITES)
    published = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=index)
    head = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}{' | ' + escape(site) if site else ''}</title>",
        f'<meta property="og:title" content="{escape(title)}">',
        f'<meta property="article:published_time" content="{published.isoformat()}">',
        f'<meta name="author" content="{rng.choice(["Ada Lane", "Bo Chen", "Cy Diaz"])}">',
    ]
    if site:
        head.append(f'<meta property="og:site_name" content="{escape(site)}">')
    if rng.random() < 0.85:
        head.append(f'<meta name="description" content="{escape(sentence(rng, 25))}">')
    head.append("<style>" + " ".join(f".c{i}{{margin:{i}px}}" for i in range(300)) + "</style>")
    head.append("</head><body>")
    nav = (
        "<nav><ul>"
        + "".join(f'<li><a href="/section/{i}">{rng.choice(WORDS)}</a></li>' for i in range(60))
        + "</ul></nav>"
    )
    article = [f"<article><h1>{escape(title)}</h1>"]
    footer = "<footer>" + "".join(f'<a href="/f/{i}">link {i}</a> ' for i in range(80))
    footer += "</footer></body></html>"
    body_size = len("".join(head)) + len(nav) + len(footer)
    script = '<script>window.__DATA__ = {"items": ['
    while body_size < size * 0.4:
        chunk = f'{{"id": {rng.randint(0, 10**9)}, "t": "{rng.choice(WORDS)}"}}, '
        script += chunk
        body_size += len(chunk)
    script += "{}]};</script>"
    while body_size < size:
        text = f"<p>{rng.choice(_POOL)}</p>"
        article.append(text)
        body_size += len(text)
    article.append("</article>")
    return "".join([*head, nav, script, *article, footer]).encode()


def page_size(index: int, seed: int = 7) -> int:
    return random.Random(seed + index).randint(50_000, 300_000)


def feed(name: str, links: list[str], seed: int = 7) -> bytes:
    rng = random.Random(f"{seed}{name}")
    items = "".join(
        f"<item><title>{escape(sentence(rng, 8))}</title><link>{escape(link)}</link>"
        f"<description>{escape(sentence(rng, 30))}</description>"
        f"<pubDate>Tue, 02 Jan 2024 10:{i % 60:02d}:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>https://example.com/</link>"
        f"<description>Benchmark feed</description>{items}</channel></rss>"
    ).encode()


def arxiv_answer(ids: list[str], start: int, total: int) -> bytes:
    """An arXiv API Atom answer (the real format) with one entry per id."""
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{paper}v1</id><updated>2024-01-02T00:00:00Z</updated>"
        f"<published>2024-01-01T00:00:00Z</published><title>Paper {paper}</title>"
        f"<summary>We study {paper}. It works.</summary><author><name>A. Author</name></author>"
        f'<link href="https://arxiv.org/abs/{paper}v1" rel="alternate" type="text/html"/>'
        f'<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/></entry>'
        for paper in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<id>https://arxiv.org/api/bench</id><title>arXiv Query</title>"
        "<updated>2024-01-05T00:00:00Z</updated>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>"
        f"<opensearch:itemsPerPage>{len(ids)}</opensearch:itemsPerPage>{entries}</feed>"
    ).encode()

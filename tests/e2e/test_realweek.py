"""A realistic week, end to end: 300 links on 200 sites, half over https through a local
certificate authority, every request through a forward proxy from the environment,
keep-alive servers answering in 20-300 ms, and 5% of links broken in the ways the web
breaks (a hang, a 404, an untrusted certificate, a reset connection)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli import invoke
from tests.webworld import HANG, RESET, UNTRUSTED, Page, Site, World, addresses

SITES = 200
BROKEN = {  # link index -> (how, the reason the author sees)
    **{i: (HANG, "timed out after 10 s") for i in (7, 57, 107, 157)},
    **{i: ("404", "HTTP 404") for i in (11, 61, 111, 161)},
    **{i: (RESET, "protocol error") for i in (23, 73, 123, 173)},
    **{i: (UNTRUSTED, "certificate verify failed") for i in (190, 194, 198)},
}


def page(title: str, site_name: str) -> bytes:
    return (
        f"<html><head><title>{title} | {site_name}</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:site_name" content="{site_name}"></head>'
        f"<body><article><p>{title}: the first paragraph of the story.</p></article>"
        "</body></html>"
    ).encode()


def build_week(world: World) -> tuple[list[str], dict[str, str]]:
    """300 links: one on each of 200 sites, a second on the first 100. Even sites are https."""
    rng = random.Random(11)
    sites: list[Site] = []
    for i, address in enumerate(addresses(SITES)):
        how = BROKEN.get(i, ("", ""))[0]
        cert = UNTRUSTED if how == UNTRUSTED else ""
        sites.append(world.add_site(address, tls=i % 2 == 0, name=f"site{i}.example", cert=cert))
    links, titles = [], {}
    for n in range(300):
        site, path = sites[n % SITES], f"/story/{n}?id={n}&section=news"
        how = BROKEN.get(n, ("", ""))[0]
        delay = rng.uniform(0.02, 0.3)
        if how == "404":
            site.pages[path] = Page(b"gone", 404, delay=delay)
        elif how in (HANG, RESET):
            site.pages[path] = Page(action=how, delay=delay)
        else:
            site.pages[path] = Page(page(f"Story number {n}", f"Site {n % SITES}"), delay=delay)
            if not how:
                titles[site.url(path)] = f"Story number {n}"
        links.append(site.url(path))
    return links, titles


@pytest.mark.slow
def test_a_real_week_ends_with_every_link_done_or_failed_with_its_reason(
    runner: CliRunner, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with World() as world:
        links, titles = build_week(world)
        ca = world.ca_bundle(env)
        (env / "curator.toml").write_text(f'[fetch]\ntimeout = 10\nca_bundle = "{ca}"\n')
        monkeypatch.setenv("HTTP_PROXY", world.start_proxy())
        monkeypatch.setenv("HTTPS_PROXY", world.proxy_url)
        (env / "week.txt").write_text("\n".join(links) + "\n")
        invoke(runner, "add", "--file", "week.txt")
        _, stderr = invoke(runner, "enrich")
        stdout, _ = invoke(runner, "list", "--json")

    queue = {item["url"]: item for item in json.loads(stdout)}
    assert sorted(queue) == sorted(links)  # every URL intact, `&section=` included
    for url, title in titles.items():
        assert (queue[url]["status"], queue[url]["title"]) == ("done", title), url
    for n, (_, reason) in BROKEN.items():
        item = queue[links[n]]
        assert item["status"] == "failed" and reason in item["error"], item
    assert "internal error" not in stderr

    # Every page was fetched once; a reset one is retried once, by design, and one behind
    # an untrusted certificate is never requested at all.
    times = {RESET: (1, 2), UNTRUSTED: (0,)}
    for site in world.sites:
        for path in site.pages:
            how = BROKEN.get(int(path.split("/")[2].split("?")[0]), ("", ""))[0]
            assert site.requests.count(path) in times.get(how, (1,)), site.url(path)
    # The proxy saw every request: plain ones one by one, https ones as their tunnels.
    forwarded = [line.split(" ", 1)[1] for line in world.proxied if line.startswith("GET ")]
    plain = [site.url(path) for site in world.sites if not site.tls for path in site.requests]
    assert sorted(forwarded) == sorted(plain)
    tunnels = {line.split(" ", 1)[1] for line in world.proxied if line.startswith("CONNECT ")}
    secure = {f"{site.name}:{site.port}" for site in world.sites if site.tls and site.requests}
    assert secure <= tunnels


def test_a_link_whose_https_is_unreachable_is_fetched_over_the_http_it_came_as(
    runner: CliRunner, env: Path
) -> None:
    with World() as world:
        site = world.add_site("127.0.4.1")  # plain http only: TLS gets a 400
        site.pages["/both"] = Page(page("Came both ways", "Plain"))
        site.pages["/secure-only"] = Page(page("Came as https", "Plain"))
        both = site.url("/both")
        invoke(runner, "add", both)
        invoke(runner, "add", both.replace("http://", "https://"))
        invoke(runner, "add", site.url("/secure-only").replace("http://", "https://"))
        stdout, _ = invoke(runner, "list", "--json")
        assert [item["url"][:6] for item in json.loads(stdout)] == ["https:", "https:"]
        invoke(runner, "enrich")
        stdout, _ = invoke(runner, "list", "--json")
    first, second = json.loads(stdout)
    assert (first["status"], first["title"], first["url"]) == ("done", "Came both ways", both)
    assert second["status"] == "failed" and second["error"].startswith("TLS handshake failed")

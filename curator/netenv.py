"""The network environment: which proxy a URL goes through, which CAs are trusted.

Pure functions over the environment and [fetch] config, no I/O beyond reading a CA file.
The rules are curl's (https://curl.se/libcurl/c/CURLOPT_NOPROXY.html), which httpx follows:
1. `[fetch] proxy` wins over the environment; NO_PROXY still exempts hosts from either.
2. Otherwise `https_proxy` for https URLs, `http_proxy` for http ones, then `all_proxy`;
   each in lower or upper case, the lower-case one first.
3. NO_PROXY is a comma-separated list: `*` exempts everything; a name exempts itself and
   its subdomains (a leading `.` or `*.` is ignored); an IP address or CIDR block exempts
   the addresses it covers. Ports in entries are ignored.
4. `[fetch] ca_bundle` wins over SSL_CERT_FILE, which wins over SSL_CERT_DIR; else certifi.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from curator.errors import ConfigError


def proxy_for(url: str, configured: str = "", env: Mapping[str, str] | None = None) -> str | None:
    """The proxy URL to reach `url` through, or None for a direct connection."""
    env = os.environ if env is None else env
    parts = urlsplit(url)
    if _exempt(parts.hostname or "", _env(env, "no_proxy")):
        return None
    chosen = configured or _env(env, f"{parts.scheme.lower()}_proxy") or _env(env, "all_proxy")
    if not chosen:
        return None
    return chosen if "://" in chosen else f"http://{chosen}"


def ssl_context(ca_bundle: Path | None, env: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """A verifying client context trusting `ca_bundle`, else the environment's CAs."""
    env = os.environ if env is None else env
    try:
        if ca_bundle is not None:
            return ssl.create_default_context(cafile=str(ca_bundle))
        if env.get("SSL_CERT_FILE"):
            return ssl.create_default_context(cafile=env["SSL_CERT_FILE"])
        if env.get("SSL_CERT_DIR"):
            return ssl.create_default_context(capath=env["SSL_CERT_DIR"])
    except (OSError, ssl.SSLError) as err:
        where = ca_bundle or env.get("SSL_CERT_FILE") or env.get("SSL_CERT_DIR")
        raise ConfigError(f"cannot load CA certificates from {where}: {err}") from None
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _env(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or env.get(name.upper()) or "").strip()


def _exempt(host: str, no_proxy: str) -> bool:
    host = host.lower().rstrip(".")
    entries = [e.strip().lower() for e in no_proxy.split(",") if e.strip()]
    return any(_covers(entry, host) for entry in entries)


def _covers(entry: str, host: str) -> bool:
    if entry == "*":
        return True
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        pass
    name = entry.removeprefix("*").removeprefix(".").rsplit(":", 1)[0].rstrip(".")
    if name.startswith("[") or not name:
        return False
    return host == name or host.endswith("." + name)

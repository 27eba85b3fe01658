"""Map a URL's domain to an outlet name (``tass.com`` -> ``TASS``)."""

from __future__ import annotations

from urllib.parse import urlparse

KNOWN_OUTLETS: dict[str, str] = {
    "aljazeera.com": "Al Jazeera",
    "tass.com": "TASS",
    "tass.ru": "TASS",
    "abcnews.go.com": "ABC News",
    "rte.ie": "RTE",
    "huffingtonpost.com": "HuffPost",
    "huffpost.com": "HuffPost",
    "dw.com": "DW",
    "chinadaily.com.cn": "China Daily",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "cnn.com": "CNN",
    "reuters.com": "Reuters",
    "apnews.com": "AP",
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "theguardian.com": "The Guardian",
    "astanatimes.com": "The Astana Times",
    "foxnews.com": "Fox News",
    "npr.org": "NPR",
    "bloomberg.com": "Bloomberg",
    "wsj.com": "The Wall Street Journal",
    "ft.com": "Financial Times",
    "techcrunch.com": "TechCrunch",
    "theverge.com": "The Verge",
    "wired.com": "Wired",
    "engadget.com": "Engadget",
    "cnbc.com": "CNBC",
    "forbes.com": "Forbes",
    "politico.com": "Politico",
    "businessinsider.com": "Business Insider",
    "espn.com": "ESPN",
}


def domain_of(url: str) -> str:
    try:
        host = urlparse(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def outlet_from_url(url: str) -> str:
    """The outlet name for a URL: a known name, else the bare domain; "" without a URL."""
    host = domain_of(url)
    if not host:
        return ""
    parts = host.split(".")
    for i in range(len(parts) - 1):
        name = KNOWN_OUTLETS.get(".".join(parts[i:]))
        if name:
            return name
    return host

"""The baseline for feeds: feedparser fetching each feed in turn.

Usage: python naive_feeds.py URLS_FILE
"""

import sys

import feedparser

for url in open(sys.argv[1]).read().split():
    feedparser.parse(url)

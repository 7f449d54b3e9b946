"""The baseline: what a newsletter author would write without curator.

Fetch each URL in turn with requests, extract title and metadata with trafilatura.
Usage: python naive_enrich.py URLS_FILE
"""

import sys

import requests
import trafilatura

for url in open(sys.argv[1]).read().split():
    response = requests.get(url, timeout=10)
    trafilatura.extract(response.content, url=url, with_metadata=True, output_format="json")

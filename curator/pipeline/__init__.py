"""Orchestration: the only code that touches both the network and the store.

One module per command family, imported by the CLI only when that command runs, so
`curator draft` and `curator list` never pay for the network stack's imports:
- collect: feeds and arXiv queries -> store; the channels `curator sources` shows
- enrich: pending links -> metadata -> store; `--explain`
- compose: the window the options chose -> the planned issue -> Markdown; publish
- queue: add, list, and the author's decisions; importing: OPML and link files
- progress: the progress protocol the CLI implements, and Ctrl-C as Interrupted
"""

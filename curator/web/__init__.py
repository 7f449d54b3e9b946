"""`curator serve`: the week's review page (issue 18), at the level of the CLI.

Starlette routes, Jinja2 templates and plain JavaScript (no build step, nothing from a
CDN). It calls the same pipeline functions as the commands; neither the pipeline nor a
stage imports it. starlette and uvicorn load only when `serve` runs.
"""

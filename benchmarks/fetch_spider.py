"""A do-nothing Scrapy spider: fetches a list of URLs and throws the responses away.

`scrapy runspider benchmarks/fetch_spider.py -a urls=FILE` (one URL a line). It measures what
Scrapy and the local server can fetch when no callback does any work: the ceiling the real
crawl could reach if parsing and storing cost nothing. Run it outside the project directory so
that the project's pipelines and extensions are not loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class FetchOnlySpider(scrapy.Spider):
    """Requests every URL of the file once; the callback does nothing."""

    name = "fetch_only"

    def __init__(self, urls: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls_path = urls

    async def start(self) -> AsyncIterator[Any]:
        with Path(self.urls_path).open(encoding="utf-8") as fh:
            for line in fh:
                url = line.strip()
                if url:
                    yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> None:
        return None

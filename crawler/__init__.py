"""Archive of Vietnamese Communist Party committee news: the Scrapy project and its Scrapy-free core."""

__version__ = "0.1.0"

"""Archive of Vietnamese Communist Party committee news: Scrapy project and Scrapy-free core."""

__version__ = "0.1.0"

"""`python -m crawler <cmd>`."""

from crawler.cli import main

main()

"""The project's one generic spider, party_sites."""

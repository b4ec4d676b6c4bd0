"""Item pipelines, one concern each: extract (100), dates (200), dedupe (300), store (900)."""

"""Persistence: the schema, the engine and the content-addressed blob store."""

from clausewatch.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]

"""Small helpers shared by test modules (the tests folder is on sys.path: its conftest)."""

from __future__ import annotations


def cypher_rows(store, query: str, **params) -> list[dict]:
    """Run a Cypher statement on the test server, independently of the code under test."""
    records, _, _ = store.driver.execute_query(query, params, database_=store.database)
    return [record.data() for record in records]

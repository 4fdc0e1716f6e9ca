"""Chinese full-text search over corpus documents (a derived tantivy index; the database is the truth)."""

from .index import Hit, SearchDocument, SearchIndex, SearchIndexMissing, SearchResult

__all__ = ["Hit", "SearchDocument", "SearchIndex", "SearchIndexMissing", "SearchResult"]

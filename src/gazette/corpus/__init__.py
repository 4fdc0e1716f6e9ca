"""The corpus: gazette text → issues, documents, clauses, relations, validity."""

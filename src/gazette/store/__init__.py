"""Storage: SQLAlchemy models, Alembic migrations, engine and unit of work."""

"""``python -m gazette.store.probe URL``: exit 0 when the database answers, 1 otherwise."""

import sys

from sqlalchemy import create_engine, text

from gazette.store.db import normalise_url


def main(url: str) -> int:
    try:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3} if "postgresql" in url else {})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return 0
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        print(f"database not reachable: {exc.__class__.__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

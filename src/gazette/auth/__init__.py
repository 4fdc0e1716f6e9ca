"""Access control: users and roles, sessions and CSRF for pages, bearer tokens for the API,
argon2id passwords, a DB-backed login rate limit and a log of every denied access.

Domain services know nothing of this package: the API routers and page handlers enforce it.
See docs/access-control.md.
"""

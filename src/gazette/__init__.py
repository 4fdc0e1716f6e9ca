"""Gazette: a municipal gazette made executable — the platform, which knows no city.

City content (gazette issues, policies, schemes) lives in packs discovered through the
``gazette.packs`` entry point; see :mod:`gazette.packs`.
"""

__version__ = "0.1.0"

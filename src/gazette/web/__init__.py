"""The web application: server-rendered pages over the same domain services as the API.

Each module below owns one area and exposes a FastAPI ``router``; the app mounts them all, then the
content pack's own pages (``Pack.pages``: its policy finder, its schemes' self-service and dashboards).
"""

PAGE_MODULES = (
    "gazette.web.reader",  # issues, documents, search, personnel
    "gazette.web.account",  # login, logout, 长辈版 switch
)

"""The HTTP protocol ``gazette serve`` runs: uvicorn's httptools protocol (llhttp, in C) with the
request head bounded.

h11, uvicorn's other parser, costs a claim about a third of the server's CPU at load (measured with
py-spy, issue #17); httptools parses the same request in a fraction of that. But uvicorn's httptools
protocol buffers a request line and header block of any size, where h11 stops at
``h11_max_incomplete_event_size``. :class:`BoundedHttpTools` restores that bound: the bytes received
while a request's head is incomplete are counted, and past :func:`gazette.api.server.head_limit` the
client gets 400 and the connection is closed — as with h11. Below it the request reaches
:class:`gazette.api.limits.RequestLimits`, which answers 414/431 by the settings.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gazette.api.server import head_limit


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol; a request head over :func:`head_limit` bytes is refused."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self._head_limit = head_limit()  # read here, in the serving process (settings are cached)
        self._in_head, self._head_bytes = True, 0
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self._head_limit:
                self._in_head = False
                self.send_400_response("Request line and headers too large.")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0  # the next request on this connection starts its head

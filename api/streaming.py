"""Streamed responses whose source stops the moment the response ends, however it ends."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class ClosingStreamingResponse(StreamingResponse):
    """A StreamingResponse over a generator that is closed when the response is over.

    When a consumer hangs up mid-download, Starlette stops reading the generator but leaves
    closing it to the garbage collector. An export's generator holds a database connection
    running a COPY (and a snapshot), which would stay busy until a collection happens to run.
    Closing it here cancels the COPY and returns the connection at once.
    """

    def __init__(self, content: Generator[bytes, None, None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._source = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # No thread is inside the generator here: Starlette waits for each step it started.
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(self._source.close)

"""Stop an oversized upload while it streams in, before it is written anywhere in full."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from xinbao.items.attachments import MAX_ATTACHMENT_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips any file larger than the largest attachment we accept.

    Runs first among the upload handlers; the names of skipped files are left on
    ``request.upload_refusals`` so the view can tell the user which file and why.
    """

    limit = MAX_ATTACHMENT_BYTES

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            refusals: list[str] = getattr(self.request, "upload_refusals", [])
            if self.file_name not in refusals:
                refusals.append(self.file_name or "")
            self.request.upload_refusals = refusals  # type: ignore[union-attr]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

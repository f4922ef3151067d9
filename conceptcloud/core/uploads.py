"""How uploaded files are received, for every form and API endpoint.

    CappedUploadHandler   passes on at most CC_ATTACHMENT_MAX_BYTES + 1 bytes of
                          each file to the handlers after it (memory, then a
                          temporary file). A bigger file is still refused by the
                          size check, with its message, but never fills the
                          server's disk or memory first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class CappedUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        # One byte past the limit is kept so that the size check sees the file is too large.
        room = settings.CC_ATTACHMENT_MAX_BYTES + 1 - start
        return raw_data[:room] if room > 0 else None

    def file_complete(self, file_size: int) -> None:
        # The handlers after this one build the file.
        return None

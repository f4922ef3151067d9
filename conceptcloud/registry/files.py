"""How an attachment leaves the platform: the one response builder for the page and the API."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _

from conceptcloud.core.errors import NotFound
from conceptcloud.registry.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """A download of `attachment`, which the caller fetched through the visibility rule.

    Raises NotFound when the stored file is missing (e.g. a restored database
    without its media folder).
    """
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("No such attachment.")) from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type)
    # Uploaded bytes are never rendered as a page of ours, whatever they contain.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Files of members-only and confidential assets must not sit in shared caches.
    response["Cache-Control"] = "private"
    return response

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conceptcloud.registry.services import attachment_add

PDF = b"%PDF-1.4 drawing"


@pytest.fixture
def stored(make_user, make_asset):
    owner = make_user("owner")
    asset = make_asset(owner)
    attachment = attachment_add(
        actor=owner, asset=asset, upload=SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf")
    )
    return asset, attachment


@pytest.mark.parametrize("prefix", ["/assets/{a}/attachments/{f}/", "/api/v1/assets/{a}/attachments/{f}"])
def test_downloads_are_private_attachments_that_never_render_as_pages(stored, prefix):
    asset, attachment = stored
    response = Client().get(prefix.format(a=asset.pk, f=attachment.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("prefix", ["/assets/{a}/attachments/{f}/", "/api/v1/assets/{a}/attachments/{f}"])
def test_a_file_missing_from_storage_is_a_404_not_a_server_error(stored, prefix):
    asset, attachment = stored
    attachment.file.storage.delete(attachment.file.name)
    response = Client().get(prefix.format(a=asset.pk, f=attachment.pk))
    assert response.status_code == 404

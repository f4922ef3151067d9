"""The log's public key at a well-known address, for witnesses and verifiers."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from conceptcloud.history.keys import log_verifier_key


@require_GET
def log_key(request):
    return HttpResponse(log_verifier_key() + "\n", content_type="text/plain; charset=utf-8")

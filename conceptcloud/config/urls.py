from django.contrib import admin
from django.urls import include, path

from conceptcloud.config.api import api
from conceptcloud.history.views import log_key

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path(".well-known/conceptcloud-log-key", log_key, name="log-key"),
    path("account/", include("conceptcloud.accounts.urls")),
    path("", include("conceptcloud.accounts.directory_urls")),
    path("", include("conceptcloud.registry.urls")),
    path("", include("conceptcloud.lineage.urls")),
    path("", include("conceptcloud.evaluation.urls")),
    path("", include("conceptcloud.discovery.urls")),
    path("", include("conceptcloud.payouts.urls")),
    path("", include("conceptcloud.licensing.urls")),
]

admin.site.site_header = "Concept Cloud operator"
admin.site.site_title = "Concept Cloud operator"



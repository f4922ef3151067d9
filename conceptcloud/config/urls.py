from django.contrib import admin
from django.urls import include, path

from conceptcloud.accounts.api import router as accounts_router
from conceptcloud.core.api import api
from conceptcloud.registry.api import router as registry_router

api.add_router("/v1/", accounts_router)
api.add_router("/v1/", registry_router)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("account/", include("conceptcloud.accounts.urls")),
    path("", include("conceptcloud.accounts.directory_urls")),
    path("", include("conceptcloud.registry.urls")),
]

admin.site.site_header = "Concept Cloud operator"
admin.site.site_title = "Concept Cloud operator"



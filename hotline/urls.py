from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from hotline.api import api

admin.site.site_header = _("12345 政务服务便民热线平台")
admin.site.site_title = _("12345 热线")
admin.site.index_title = _("基础数据与系统管理")


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): answer with ours
    rather than a 404 in every log. The static URL is resolved per request (hashed names)."""
    return HttpResponsePermanentRedirect(static("core/favicon.ico"))


urlpatterns: list[URLPattern | URLResolver] = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # POST language=en|zh-hans switches the interface (Django's set_language view).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("sla/", include("hotline.sla.urls")),
    path("callbacks/", include("hotline.callbacks.urls")),
    path("intake/", include("hotline.intake.urls")),
    # The citizen portal: mobile-first, no login.
    path("portal/", include("hotline.intake.portal_urls")),
    path("open311/v2/", include("hotline.intake.open311.urls")),
    path("telephony/", include("hotline.telephony.urls")),
    path("dispatch/", include("hotline.dispatch.urls")),
    path("knowledge/desk/", include("hotline.knowledge.desk_urls")),
    path("knowledge/", include("hotline.knowledge.urls")),
    path("analytics/", include("hotline.analytics.urls")),
    path("evaluation/", include("hotline.evaluation.urls")),
    path("quality/", include("hotline.quality.urls")),
    path("", include("hotline.workorders.urls")),
]

# MEDIA_ROOT is never served as such, not even with DEBUG on: attachments (confidential orders'
# too) are read only through the order's scoped views, always as a download.

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from hotline.api import api

admin.site.site_header = "12345 政务服务便民热线平台"
admin.site.site_title = "12345 热线"
admin.site.index_title = "基础数据与系统管理"

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api.urls),
    path("", include("hotline.workorders.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

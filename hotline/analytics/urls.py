from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("kpis/", views.kpi_page, name="analytics_kpis"),
]

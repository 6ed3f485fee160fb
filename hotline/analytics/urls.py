from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard_page, name="analytics_dashboard"),
    path("wall/", views.wall_page, name="analytics_wall"),
    path("kpis/", views.kpi_page, name="analytics_kpis"),
]

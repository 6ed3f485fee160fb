"""The callback desk (回访), mounted at /callbacks/."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.desk, name="desk_callback"),
    path("<str:number>/", views.panel, name="desk_callback_panel"),
    path("<str:number>/row/", views.row, name="desk_callback_row"),
    path("<str:number>/<str:action>/", views.act, name="desk_callback_act"),
]

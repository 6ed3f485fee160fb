"""The unit inbox (办件箱), mounted under /desk/."""

from django.urls import URLPattern, URLResolver, path

from . import unit

urlpatterns: list[URLPattern | URLResolver] = [
    path("unit/", unit.inbox, name="desk_unit"),
    path("unit/<str:number>/", unit.inbox_row, name="desk_unit_row"),
    path("unit/<str:number>/<str:action>/", unit.inbox_act, name="desk_unit_act"),
]

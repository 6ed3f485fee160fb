"""The knowledge base's pages (/knowledge/)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("", views.entry_list, name="knowledge_list"),
    path("new/", views.entry_create, name="knowledge_create"),
    path("<int:pk>/", views.entry_detail, name="knowledge_detail"),
    path("<int:pk>/edit/", views.entry_edit, name="knowledge_edit"),
    path(
        "<int:pk>/<str:move>/",
        views.entry_move,
        name="knowledge_move",
    ),
]

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("suggest/", views.suggest_fragment, name="dispatch_suggest"),
    path("hot/", views.hot_topics_page, name="dispatch_hot_topics"),
    path(
        "hot/warnings/<int:pk>/acknowledge/",
        views.warning_acknowledge,
        name="dispatch_warning_acknowledge",
    ),
]

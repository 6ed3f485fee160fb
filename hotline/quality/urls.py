from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="quality_queue"),
    path("inspect/<str:kind>/<str:ref>/", views.inspect, name="quality_inspect"),
    path("<int:pk>/", views.inspection, name="quality_inspection"),
    path("<int:pk>/appeal/", views.appeal, name="quality_appeal"),
    path("mine/", views.mine, name="quality_mine"),
    path("appeals/", views.appeals, name="quality_appeals"),
    path("appeals/<int:pk>/review/", views.review, name="quality_review"),
]

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("missed/", views.missed_calls, name="telephony_missed"),
    path("missed/<int:pk>/", views.missed_call_callback, name="telephony_missed_callback"),
]

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.inbox, name="sla_notifications"),
    path("notifications/unread/", views.unread, name="sla_notifications_unread"),
    path("notifications/read-all/", views.mark_all_read, name="sla_notifications_read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="sla_notification_read"),
]

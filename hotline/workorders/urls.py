from django.urls import include, path

from . import views

# No namespace: settings.LOGIN_REDIRECT_URL names "home".
urlpatterns = [
    path("", views.home, name="home"),
    # Workbenches: the hotline's desks (dispatcher, supervisor) and the units' inbox.
    path("desk/", include("hotline.workorders.desks.hotline_urls")),
    path("desk/", include("hotline.workorders.desks.unit_urls")),
    path("orders/", views.order_list, name="workorder_list"),
    path("orders/export.xlsx", views.order_export, name="workorder_export"),
    path("orders/<str:number>/", views.order_detail, name="workorder_detail"),
    path("orders/<str:number>/act/<str:action>/", views.order_act, name="workorder_act"),
    path("orders/<str:number>/phone/", views.order_reveal_phone, name="workorder_reveal_phone"),
    path("orders/<str:number>/attachments/", views.order_attach, name="workorder_attach"),
    path(
        "orders/<str:number>/attachments/<int:pk>/",
        views.order_attachment,
        name="workorder_attachment",
    ),
]

"""The hotline's desks under /desk/: the dispatcher's queue and returned orders, the
supervisor's review, deadlines and extensions."""

from django.urls import URLPattern, URLResolver, path

from . import dispatcher, returned, supervisor

urlpatterns: list[URLPattern | URLResolver] = [
    path("dispatch/", dispatcher.dispatch_desk, name="desk_dispatch"),
    path("dispatch/batch/", dispatcher.dispatch_batch, name="desk_dispatch_batch"),
    path("dispatch/<str:number>/", dispatcher.dispatch_one, name="desk_dispatch_one"),
    path("returned/", returned.returned_desk, name="desk_returned"),
    path("returned/<str:number>/<str:action>/", returned.returned_act, name="desk_returned_act"),
    path("supervise/", supervisor.supervise_desk, name="desk_supervise"),
    path(
        "supervise/<str:number>/<str:action>/", supervisor.supervise_act, name="desk_supervise_act"
    ),
]

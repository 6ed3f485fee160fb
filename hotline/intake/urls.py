"""Staff pages of intake: the agent's desk (话务受理) and its htmx fragments."""

from django.urls import URLPattern, URLResolver, path

from . import desk, desk_fields, pending

urlpatterns: list[URLPattern | URLResolver] = [
    path("desk/", desk.desk, name="desk_agent"),
    path("desk/history/", desk.history, name="desk_agent_history"),
    path("desk/categories/", desk.categories, name="desk_agent_categories"),
    path("desk/repeats/", desk.repeats, name="desk_agent_repeats"),
    path("desk/fields/", desk_fields.category_fields_fragment, name="desk_agent_fields"),
    path("pending/", pending.pending_list, name="intake_pending"),
    path("pending/<str:token>/", pending.pending_decide, name="intake_pending_decide"),
]

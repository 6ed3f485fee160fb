"""/open311/v2/...: each resource with a format extension, .xml or .json; any other path is
an errors[] 404 in JSON."""

from django.urls import URLPattern, re_path

from . import views

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, views.services, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, views.requests_endpoint, name="open311-requests"),
    re_path(
        r"^requests/(?P<request_id>[^/]+?)" + FMT, views.request_detail, name="open311-request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token_detail, name="open311-token"),
    # Anything else (an unknown resource, `.html`...): the spec's errors[], not Django's page.
    re_path(r"^(?P<path>.*)$", views.not_found, name="open311-not-found"),
]

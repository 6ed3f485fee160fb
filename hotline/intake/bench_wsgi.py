"""The WSGI application of the channel benchmarks' gunicorn (`--preload`): the project's, with
its URLconf and every view imported in the master before the workers fork, so that no worker
spends its first request importing (seconds on a busy machine, past gunicorn's timeout)."""

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

application = get_wsgi_application()
get_resolver().resolve("/open311/v2/discovery.json")  # loads the URLconf and its views

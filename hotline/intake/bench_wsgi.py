"""The WSGI application of the channel benchmarks' gunicorn (`--preload`): the project's
(hotline.wsgi, with its shorter chain for channel-key paths), with its URLconf and every view
imported in the master before the workers fork, so that no worker spends its first request
importing (seconds on a busy machine, past gunicorn's timeout)."""

from django.urls import get_resolver

from hotline.wsgi import application

get_resolver().resolve("/open311/v2/discovery.json")  # loads the URLconf and its views

__all__ = ["application"]

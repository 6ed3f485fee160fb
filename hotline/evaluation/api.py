"""The evaluation part of the REST API (mounted under /api/ by hotline.api)."""

from ninja import Router

router = Router(tags=["evaluation"])

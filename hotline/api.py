"""The REST API root: /api/, OpenAPI docs at /api/docs. Routers are added per app."""

from ninja import NinjaAPI

api = NinjaAPI(title="12345 热线平台 API", version="1", urls_namespace="api")

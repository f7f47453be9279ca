"""The JSON API, /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(title="Xinbao API", version="1", urls_namespace="api")

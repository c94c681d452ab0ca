"""/api/v1/schema/, served from memory. (Not in core.api.schema: DRF imports that module for
DEFAULT_SCHEMA_CLASS while drf_spectacular.views is itself being imported.)"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, built and rendered once per process for each language and format.

    The schema depends only on the code and the language it is written in: generating it
    (about 0.2 s) and rendering it as YAML (about 0.7 s for 1 MB) on every request made it the
    slowest route of the API (bench/routes.py). A changed setting (tests) empties the cache.
    """

    _rendered: ClassVar[dict[tuple[str, str, str], tuple[bytes, str, str | None]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @extend_schema(**SCHEMA_KWARGS)  # as the view it replaces describes itself
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = (
            translation.get_language() or "",
            request.accepted_media_type or "",
            request.query_params.get("lang", "") + "|" + request.query_params.get("version", ""),
        )
        hit = self._rendered.get(key)
        if hit is None:
            response = super().get(request, *args, **kwargs)
            assert isinstance(response, Response)
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
            response.render()
            hit = (
                response.rendered_content,
                response["Content-Type"],
                response.get("Content-Disposition"),
            )
            with self._lock:
                self._rendered[key] = hit
        content, content_type, disposition = hit
        served = HttpResponse(content, content_type=content_type)
        if disposition is not None:
            served["Content-Disposition"] = disposition
        return served


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    SchemaView._rendered.clear()

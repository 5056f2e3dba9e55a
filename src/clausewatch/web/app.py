"""The web app: server-rendered pages, each with a JSON twin (the same path + ``.json``).

Pages read through query functions of the stage packages; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from clausewatch import __version__
from clausewatch.config import Settings
from clausewatch.provisions.record import recent_change_sets
from clausewatch.store import Store
from clausewatch.store import queries as store_queries
from clausewatch.web import views

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """One app object over one store (opened here unless given)."""
    opened = store or Store(settings)
    app = FastAPI(
        title="clausewatch",
        version=__version__,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.store = opened
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def twin(request: Request, template: str, data: dict[str, Any], as_json: bool) -> Response:
        if as_json:
            return JSONResponse(data)
        return templates.TemplateResponse(
            request, template, {"data": data, "json_url": _json_url(request)}
        )

    def page(path: str, template: str, build: Callable[..., dict[str, Any] | None]) -> None:
        async def html(request: Request) -> Response:
            return render(request, False)

        async def json_(request: Request) -> Response:
            return render(request, True)

        def render(request: Request, as_json: bool) -> Response:
            with opened.session() as s:
                data = build(s, **request.path_params)
            if data is None:
                raise HTTPException(status_code=404, detail="not found")
            return twin(request, template, data, as_json)

        # The JSON twin first: otherwise "/x/{id}" would swallow "/x/1.json".
        app.add_api_route(f"{path.rstrip('/') or '/index'}.json", json_, methods=["GET"])
        app.add_api_route(
            path, html, methods=["GET"], response_class=HTMLResponse, include_in_schema=False
        )

    def home(s: Session) -> dict[str, Any]:
        return {
            "platforms": store_queries.platform_list(s),
            "totals": store_queries.archive_totals(s),
            "events": store_queries.recent_events(s),
            "changes": recent_change_sets(s),
        }

    def version_page(s: Session, version_id: str) -> dict[str, Any] | None:
        return views.version_detail(s, int(version_id)) if version_id.isdigit() else None

    def document_page(s: Session, document_id: str) -> dict[str, Any] | None:
        return store_queries.document_detail(s, int(document_id)) if document_id.isdigit() else None

    page("/", "index.html", home)
    page("/platforms/{slug}", "platform.html", store_queries.platform_detail)
    page("/documents/{document_id}", "document.html", document_page)
    page("/versions/{version_id}", "version.html", version_page)
    page("/provisions/{key}", "provision.html", views.provision_detail)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.endswith(".json") or request.url.path.startswith("/api"):
            return JSONResponse({"error": "not found", "path": request.url.path}, status_code=404)
        return templates.TemplateResponse(
            request,
            "404.html",
            {"data": {"path": request.url.path}, "json_url": None},
            status_code=404,
        )

    return app


def _json_url(request: Request) -> str:
    path = request.url.path.rstrip("/")
    return f"{path or '/index'}.json"

"""The OpenAPI 3 document of ``/api/v1``, generated from the code.

Each API view carries its documentation through the :func:`documented` decorator (summary,
parameters, request body and response schemas); :func:`build_openapi` walks the app's URL
map, so a route and its documentation cannot drift apart, and a test fails when an ``/api/``
route has no documentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

__all__ = ["documented", "build_openapi", "PROBLEM", "param", "obj", "arr", "ref"]

#: RFC 9457 problem details, the body of every error.
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}

_STANDARD_ERRORS = {
    "401": "Sign-in or an API token is required",
    "403": "The caller's role does not allow this",
}


def param(name: str, where: str = "query", *, type_: str = "string", description: str = "",
          required: bool | None = None, enum: list | None = None, minimum: int | None = None,
          maximum: int | None = None, example: Any = None) -> dict:
    schema: dict[str, Any] = {"type": type_}
    if enum:
        schema["enum"] = enum
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    out = {"name": name, "in": where, "schema": schema, "description": description,
           "required": where == "path" if required is None else required}
    if example is not None:
        out["example"] = example
    return out


def obj(properties: dict | None = None, required: list | None = None, **extra) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties or {}}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


def arr(items: dict) -> dict:
    return {"type": "array", "items": items}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def documented(summary: str, *, tags: tuple[str, ...] = (), params: tuple = (),
               body: dict | None = None, responses: dict | None = None,
               description: str = "", errors: tuple[int, ...] = (400, 404)) -> Callable:
    """Attach OpenAPI documentation to a view function.

    ``responses`` maps a status to ``(description, schema)``; errors listed in ``errors``
    (plus 401/403, which any endpoint may answer) are documented as problem+json bodies.
    """

    def decorate(view: Callable) -> Callable:
        view.__openapi__ = {  # type: ignore[attr-defined]
            "summary": summary, "tags": list(tags), "params": list(params), "body": body,
            "responses": responses or {200: ("OK", {"type": "object"})},
            "description": description, "errors": errors,
        }
        return view

    return decorate


_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _expand(rule: str) -> list[tuple[str, dict]]:
    """A Flask rule as OpenAPI paths; ``any(a, b)`` converters become one path each."""
    match = next((m for m in _CONVERTER.finditer(rule) if m.group("conv") == "any"), None)
    if match is None:
        return [(_CONVERTER.sub(r"{\g<name>}", rule), {})]
    out = []
    for option in (o.strip().strip("'\"") for o in match.group("args").split(",")):
        fixed = rule[: match.start()] + option + rule[match.end():]
        for path, fixed_args in _expand(fixed):
            out.append((path, {match.group("name"): option, **fixed_args}))
    return out


def build_openapi(app: Flask, *, prefix: str = "/api/v1", schemas: dict | None = None) -> dict:
    """The OpenAPI 3.1 document of every route under ``prefix``."""
    paths: dict[str, dict] = {}
    undocumented = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "__openapi__", None)
        if doc is None:
            undocumented.append(rule.rule)
            continue
        for path, _fixed in _expand(rule.rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                operation: dict[str, Any] = {
                    "operationId": f"{method.lower()}_{rule.endpoint.replace('.', '_')}_"
                                   + re.sub(r"\W+", "_", path.strip("/")),
                    "summary": doc["summary"],
                    "tags": doc["tags"],
                    "parameters": [p for p in doc["params"] if p["in"] != "path"]
                    + [param(name, "path", description=f"the {name.replace('_', ' ')}")
                       for name in re.findall(r"{(\w+)}", path)
                       if not any(p["name"] == name for p in doc["params"])]
                    + [p for p in doc["params"] if p["in"] == "path"],
                    "responses": {},
                }
                if doc["description"]:
                    operation["description"] = doc["description"]
                if doc["body"] is not None and method in ("POST", "PUT", "PATCH"):
                    operation["requestBody"] = {
                        "required": True,
                        "content": {"application/json": {"schema": doc["body"]}},
                    }
                for status, (text, schema) in doc["responses"].items():
                    media: str | list = "application/json"
                    if isinstance(schema, dict) and "_media" in schema:
                        media = schema["_media"]
                        schema = {k: v for k, v in schema.items() if k != "_media"}
                    medias = [media] if isinstance(media, str) else list(media)
                    operation["responses"][str(status)] = {
                        "description": text,
                        "content": {m: {"schema": schema} for m in medias}}
                errors = {str(e): "Invalid request" if e == 400 else "Not found"
                          if e == 404 else "Error" for e in doc["errors"]}
                for status, text in {**errors, **_STANDARD_ERRORS}.items():
                    operation["responses"].setdefault(status, {
                        "description": text,
                        "content": {"application/problem+json": {"schema": ref("Problem")}}})
                paths.setdefault(path, {})[method.lower()] = operation
    if undocumented:
        raise LookupError("API routes without documentation: " + ", ".join(undocumented))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Synergraph API",
            "version": "1",
            "description": "Innovation-cluster ecosystems as networks: clusters, actors, "
                           "figures, scorecards, recommendations, what-if, exports and a "
                           "read-only Cypher console. Errors are application/problem+json. "
                           "Authenticate with 'Authorization: Bearer <token>' "
                           "(synergraph token create USER).",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": {"Problem": PROBLEM, **(schemas or {})},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}, {}],
        "paths": paths,
    }

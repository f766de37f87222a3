"""The JSON Schemas and shared parameters of the API's documentation (OpenAPI 3.1)."""

from __future__ import annotations

from .openapi import arr, obj, param

__all__ = ["FILTER_PARAMS", "METRIC_PARAMS", "PAGE_PARAMS", "PAGE_SCHEMA", "SCHEMAS"]

#: The group filter: the same names as the CLI flags (``--years``, ``--kinds``...).
FILTER_PARAMS = (
    param("years", description="only projects starting in START-END", example="2011-2014"),
    param("kinds", description="only actors of these kinds, comma-separated",
          example="sme,university,research_lab,large_company,startup"),
    param("programme", description="only projects funded by this programme id"),
    param("min_weight", type_="integer", minimum=1, maximum=10000,
          description="only ties of at least this many shared projects"),
)

METRIC_PARAMS = (
    *FILTER_PARAMS,
    param("weighted", enum=["true", "false"],
          description="weight path-based and spectral centralities by shared projects"),
    param("null_runs", type_="integer", minimum=0, maximum=200,
          description="degree-preserving rewirings of the null model (default 20; at most "
                      "20 for anonymous visitors in public-read mode; capped further by "
                      "size, see meta)"),
)

PAGE_PARAMS = (
    param("page", type_="integer", minimum=1, maximum=100000, description="page number"),
    param("per_page", type_="integer", minimum=1, maximum=500,
          description="items per page (default 50)"),
)

PAGE_SCHEMA = obj(
    {"items": arr({"type": "object"}), "total": {"type": "integer"},
     "page": {"type": "integer"}, "per_page": {"type": "integer"},
     "pages": {"type": "integer"}, "links": {"type": "object"}},
    ["items", "total", "page", "per_page", "pages", "links"],
)

_ACTOR_ROW = obj({"id": {"type": "string"}, "degree": {"type": "integer"},
                  "betweenness": {"type": "number"}}, ["id", "degree", "betweenness"])
_HEADLINE = obj({"nodes": {"type": "integer"}, "edges": {"type": "integer"},
                 "density": {"type": ["number", "null"]}, "isolates": {"type": "integer"},
                 "components": {"type": "integer"}, "projects": {"type": "integer"}},
                ["nodes", "edges", "density", "isolates", "projects"])
_NAMED = obj({"id": {"type": "string"}, "name": {"type": "string"},
              "kind": {"type": "string"}}, ["id", "name", "kind"])

SCHEMAS = {
    "ClusterSummary": obj(
        {"id": {"type": "string"}, "name": {"type": "string"}, "members": {"type": "integer"},
         "projects": {"type": "integer"}, "kinds": {"type": "object"}},
        ["id", "name", "members"]),
    "GroupView": obj(
        {"group": {"type": "object"}, "filter": {"type": "object"},
         "figures": _HEADLINE, "actors": arr(_ACTOR_ROW),
         "network": obj(
             {"nodes": arr(obj({"id": {"type": "string"}, "color": {"type": "string"},
                                "size": {"type": "number"}, "title": {"type": "string"}},
                               ["id", "color", "size", "title"])),
              "edges": arr(obj({"from": {"type": "string"}, "to": {"type": "string"},
                                "value": {"type": "integer"}}, ["from", "to", "value"]))},
             ["nodes", "edges"])},
        ["group", "filter", "figures", "actors"]),
    "Metrics": obj(
        {"meta": {"type": "object"}, "headline": _HEADLINE, "actors": arr(_ACTOR_ROW),
         "cohesion": obj({"nodes": {"type": "integer"}, "edges": {"type": "integer"},
                          "density": {"type": ["number", "null"]}},
                         ["nodes", "edges", "density"])},
        ["meta", "headline", "actors", "cohesion"]),
    "Scorecard": obj(
        {"cluster": {"type": "object"},
         "lines": arr(obj({"key": {"type": "string"}, "label": {"type": "string"},
                           "status": {"type": "string"}, "source": {"type": "string"}},
                          ["key", "label", "status", "source"]))},
        ["cluster", "lines"]),
    "Communities": obj(
        {"communities": arr(obj({"community": {"type": "integer"},
                                 "size": {"type": "integer"},
                                 "members": arr({"type": "string"})},
                                ["community", "size", "members"])),
         "brokers": arr(_NAMED), "articulation_points": arr(_NAMED),
         "bridges": arr(obj({"u": _NAMED, "v": _NAMED, "weight": {"type": "integer"}},
                            ["u", "v", "weight"])),
         "isolated": arr(_NAMED)},
        ["communities", "brokers", "articulation_points", "bridges", "isolated"]),
    "Evolution": obj({"years": arr(obj({"year": {"type": "integer"}}, ["year"])),
                      "window": {"type": ["integer", "null"]}}, ["years", "window"]),
    "Links": obj({"items": arr(obj({"rank": {"type": "integer"}, "u": _NAMED, "v": _NAMED,
                                    "score": {"type": "number"}},
                                   ["rank", "u", "v", "score"]))}, ["items"]),
    "CypherResult": obj(
        {"columns": arr({"type": "string"}), "rows": arr(arr({})),
         "truncated": {"type": "boolean"},
         "truncated_reason": {"type": ["string", "null"]},
         "message": {"type": ["string", "null"]}},
        ["columns", "rows", "truncated"]),
}

"""The layering rules of graph_schema/README.md, enforced on the source text.

1. Every Cypher statement lives in ``graph_schema/queries.py``, as a named, parameterised
   constant: no string literal elsewhere in service/, graph_schema/, loaders/ or web/ looks
   like Cypher.
2. The ``neo4j`` package is imported only inside graph_schema/ and by the modules in
   :data:`DRIVER_MODULES`.
3. Outside graph_schema/ nobody touches a store's driver (``x.driver``) or its private read
   path (``x._read``): they call GraphStore's public methods.

Docstrings and comments may show Cypher (they are documentation, not statements).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("service", "graph_schema", "loaders", "web")
CYPHER_HOME = "graph_schema/queries.py"

#: The only modules outside graph_schema/ that may import ``neo4j``, and why.
DRIVER_MODULES = {
    # builds the driver from the settings (make_driver) and hands it to GraphStore
    "service/db.py": "builds the driver",
    # probes a local server's readiness (Bolt answers, password set) before any store exists
    "service/neo4j_server.py": "probes readiness",
}

#: Modules allowed to break these rules for now (none: the console's statements moved to
#: graph_schema/queries.py and it runs through GraphStore). An entry added here must be
#: needed: the last test below fails as soon as it is not.
CONSOLE_PENDING: set[str] = set()

_START = re.compile(r"(?m)^\s*(?:OPTIONAL\s+MATCH|MATCH|MERGE|CREATE|UNWIND|CALL|RETURN|"
                    r"DETACH\s+DELETE|DELETE|WITH|SHOW|DROP|EXPLAIN|PROFILE|USE|LOAD\s+CSV)\b")
_SHAPE = (
    re.compile(r"\b(?:RETURN|WITH|SET|DELETE|WHERE|YIELD|REQUIRE|MERGE|CREATE|MATCH|"
               r"CONSTRAINT|INDEX|ORDER\s+BY|LIMIT)\b"),  # a second clause
    re.compile(r"\(\s*\w*\s*:\s*`?\w"),  # a node pattern with a label: (a:Actor
    re.compile(r"-\[|\]-|\)\s*-\s*\(|\)<?-+>?\("),  # a relationship pattern
    re.compile(r"\$\w+"),  # a parameter
)
#: SQL (the accounts' SQLite database) shares keywords with Cypher but has no graph pattern.
_SQL = re.compile(r"\b(?:FROM|TABLE|SELECT|INSERT\s+INTO|VALUES)\b")


def looks_like_cypher(text: str) -> bool:
    """A clause keyword (upper case) starts a line, and something else is Cypher-shaped.

    >>> looks_like_cypher("MATCH (a:Actor {id: $id}) RETURN a")
    True
    >>> looks_like_cypher("\\nUNWIND $rows AS row\\nMERGE (n:X {id: row.id})")
    True
    >>> looks_like_cypher("CALL db.awaitIndexes($timeout_s)")
    True
    >>> looks_like_cypher("Rows per UNWIND statement when loading data.")
    False
    >>> looks_like_cypher("Match the cluster's members")
    False
    >>> looks_like_cypher("DELETE FROM users WHERE username = ?")  # SQL
    False
    """
    start = _START.search(text)
    if not start:
        return False
    rest = text[start.end():]
    if _SQL.search(text) and not any(p.search(rest) for p in _SHAPE[1:3]):
        return False
    return any(pattern.search(rest) for pattern in _SHAPE)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def cypher_literals(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every string literal (f-strings included) that looks like Cypher;
    docstrings are left out."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    inside_fstrings = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                       for v in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in skip or id(node) in inside_fstrings:
                continue
            text = node.value
        else:
            continue
        if looks_like_cypher(text):
            found.append((node.lineno, text))
    return found


def _modules() -> list[tuple[str, str]]:
    out = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            out.append((path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")))
    return out


def _neo4j_imports(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(a.name == "neo4j" or a.name.startswith("neo4j.") for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "neo4j" or node.module.startswith("neo4j.")):
            lines.append(node.lineno)
    return lines


def _driver_uses(source: str) -> list[tuple[int, str]]:
    """``x.driver`` (but ``GraphDatabase.driver(...)``, which builds one) and ``x._read``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "_read":
            found.append((node.lineno, "._read"))
        elif node.attr == "driver" and not (
                isinstance(node.value, ast.Name) and node.value.id == "GraphDatabase"):
            found.append((node.lineno, ".driver"))
    return found


MODULES = _modules()


def test_the_scan_sees_the_project():
    names = {name for name, _ in MODULES}
    assert {CYPHER_HOME, "graph_schema/store.py", "service/cli/__init__.py", "loaders/bundle.py",
            "web/views.py"} <= names
    assert not (set(DRIVER_MODULES) | CONSOLE_PENDING) - names, "an allowance names no module"


def test_the_detector_finds_cypher_and_only_cypher():
    source = '''
"""Module docstring: MATCH (a:Actor) RETURN a is only documentation."""
ONE = "MATCH (a:Actor {id: $id}) RETURN a.name AS name"
TWO = f"MATCH (n:{label}) RETURN n"
THREE = ("UNWIND $rows AS row "
         "MERGE (n:Actor {id: row.id})")
HELP = "Rows per UNWIND statement when loading data."
LABEL = "Create an account"
def f():
    """RETURN (a)-[:X]->(b) in a docstring."""
    return "RETURN 1 AS one, $x AS x"
'''
    assert [line for line, _ in cypher_literals(source)] == [3, 4, 5, 11]
    # and the real statements are found where they live
    home = dict(MODULES)[CYPHER_HOME]
    assert len(cypher_literals(home)) >= 30


def test_every_cypher_statement_is_in_queries_py():
    offenders = []
    for name, source in MODULES:
        if name == CYPHER_HOME or name in CONSOLE_PENDING:
            continue
        for line, text in cypher_literals(source):
            first = text.strip().splitlines()[0][:70]
            offenders.append(f"{name}:{line}: {first}")
    assert not offenders, ("Cypher outside graph_schema/queries.py (make it a named, "
                           "parameterised constant there):\n" + "\n".join(offenders))


def test_neo4j_is_imported_only_by_graph_schema_and_the_driver_modules():
    offenders = [f"{name}:{line}" for name, source in MODULES
                 if not name.startswith("graph_schema/")
                 and name not in DRIVER_MODULES and name not in CONSOLE_PENDING
                 for line in _neo4j_imports(source)]
    assert not offenders, ("neo4j imported outside graph_schema/ (use GraphStore, and "
                           "graph_schema.store.DATABASE_ERRORS for its errors):\n"
                           + "\n".join(offenders))


def test_nobody_outside_graph_schema_touches_the_driver():
    offenders = [f"{name}:{line}: {what}" for name, source in MODULES
                 if not name.startswith("graph_schema/") and name not in CONSOLE_PENDING
                 for line, what in _driver_uses(source)]
    assert not offenders, ("a store's driver or _read used outside graph_schema/ (add a "
                           "public GraphStore method):\n" + "\n".join(offenders))


def test_console_allowance_is_still_needed():
    for name in sorted(CONSOLE_PENDING):
        source = dict(MODULES)[name]
        needed = (cypher_literals(source) or _neo4j_imports(source)
                  or (not name.startswith("graph_schema/") and _driver_uses(source)))
        assert needed, f"{name} follows the rules now: remove it from CONSOLE_PENDING"


def _imported_modules(source: str) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def test_graph_schema_imports_no_other_package_of_the_project():
    offenders = [f"{name}: {module}" for name, source in MODULES
                 if name.startswith("graph_schema/")
                 for module in sorted(_imported_modules(source))
                 if module.split(".")[0] in {"loaders", "service", "web"}]
    assert not offenders, "graph_schema must not import loaders, service or web:\n" + \
        "\n".join(offenders)


def test_graph_schema_readme_lists_every_public_store_method():
    from graph_schema.store import GraphStore

    text = (ROOT / "graph_schema" / "README.md").read_text(encoding="utf-8")
    methods = [name for name, value in vars(GraphStore).items()
               if callable(value) and not name.startswith("_")]
    assert len(methods) > 20
    missing = [name for name in methods if f"`{name}(" not in text]
    assert not missing, f"graph_schema/README.md does not describe GraphStore.{missing}"

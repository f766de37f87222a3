"""The console's guard: a tokenizer pre-check (friendly messages) and the plan check (the
allow-list of read operators and procedures) that every user query passes before it runs.

See :mod:`graph_schema.console` for how they are used, and docs/console-and-exports.md for
exactly what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALLOWED_PROCEDURES", "READ_OPERATORS", "ConsoleError", "RefusedStatement",
           "check_plan", "plan_operators", "precheck", "tokenize"]


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------
class ConsoleError(Exception):
    """Base of the console's errors; ``str()`` is a message fit for the user."""

    kind = "console-error"


class RefusedStatement(ConsoleError):
    """The statement is not a plain read (write, schema, administration, LOAD CSV...)."""

    kind = "refused-statement"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class QueryTimeout(ConsoleError):
    kind = "query-timeout"


class QueryFailed(ConsoleError):
    """Neo4j refused or failed the query; ``code`` is Neo4j's status code."""

    kind = "cypher-error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class CypherSyntaxError(QueryFailed):
    pass


class ConsoleBusy(ConsoleError):
    """Too many console queries are running (for this user or in total)."""

    kind = "too-many-queries"

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


# --------------------------------------------------------------------------------------
# Pre-check (friendly messages; the plan check below is the guard)
# --------------------------------------------------------------------------------------
#: Characters that end a ``//`` comment. Neo4j 5.26's lexer ends one at ``\\r`` or
#: ``\\n`` only (a test checks it); every other line break Python knows is treated as an
#: end too, so the pre-check may see *more* of a query than Neo4j does (and refuse a
#: query Neo4j would run), never less.
LINE_TERMINATORS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class Token:
    kind: str  # "word" (ASCII letters, digits, _), "quoted" (`...`), "string", "punct"
    text: str
    pos: int


def tokenize(query: str) -> list[Token]:
    """Words, quoted identifiers, string literals and punctuation; comments dropped.

    Follows Neo4j's lexer: strings in single or double quotes with backslash escapes
    (a backslash escapes any character), identifiers in backticks with doubled backticks,
    ``/* ... */`` and ``//`` comments. Words are runs of ASCII letters, digits and ``_``
    (every Cypher keyword is one); any other character that is not white space is a
    punctuation token of its own.
    """
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif query.startswith("//", i):
            while i < n and query[i] not in LINE_TERMINATORS:
                i += 1
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch in "'\"":
            j = i + 1
            while j < n and query[j] != ch:
                j += 2 if query[j] == "\\" else 1
            tokens.append(Token("string", query[i : j + 1], i))
            i = j + 1
        elif ch == "`":
            j = i + 1
            while j < n:
                if query[j] == "`":
                    if query.startswith("``", j):  # an escaped backtick
                        j += 2
                        continue
                    break
                j += 1
            tokens.append(Token("quoted", query[i : j + 1], i))
            i = j + 1
        elif ch in _WORD_CHARS:
            j = i + 1
            while j < n and query[j] in _WORD_CHARS:
                j += 1
            tokens.append(Token("word", query[i:j], i))
            i = j
        else:
            tokens.append(Token("punct", ch, i))
            i += 1
    return tokens


#: Clauses refused wherever they appear as keywords.
_REFUSED_KEYWORDS = {
    "CREATE": "CREATE writes to the graph",
    "MERGE": "MERGE writes to the graph",
    "INSERT": "INSERT writes to the graph",
    "DELETE": "DELETE writes to the graph",
    "DETACH": "DETACH DELETE writes to the graph",
    "SET": "SET writes to the graph",
    "REMOVE": "REMOVE writes to the graph",
    "FOREACH": "FOREACH is only used to write",
    "DROP": "DROP changes the schema or the server",
    "GRANT": "GRANT is an administration command",
    "DENY": "DENY is an administration command",
    "REVOKE": "REVOKE is an administration command",
    "ALTER": "ALTER is an administration command",
    "RENAME": "RENAME is an administration command",
    "TERMINATE": "TERMINATE ends other users' transactions: not allowed in the console",
    "USE": "USE selects another database: the console runs on the app's database only",
    "LOAD": "LOAD CSV reads files and URLs from the server: not allowed in the console",
}
#: Commands recognised by the first word of the statement.
_REFUSED_FIRST = {
    "SHOW": "SHOW commands (transactions, settings, users, databases, ...) are not "
            "allowed in the console",
    "START": "START is an administration command",
    "STOP": "STOP is an administration command",
    "ENABLE": "ENABLE is an administration command",
    "DEALLOCATE": "DEALLOCATE is an administration command",
    "REALLOCATE": "REALLOCATE is an administration command",
    "DRYRUN": "DRYRUN is an administration command",
    "PROFILE": "PROFILE is not available in the console: run the query itself",
    "EXPLAIN": "EXPLAIN is not available in the console: run the query itself",
}

#: Procedures the console may call (exact names); every other procedure is refused.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
})


def _is_keyword(tokens: list[Token], i: int) -> bool:
    """A word used as a keyword: not a property/label/parameter name, map key or alias."""
    token = tokens[i]
    if token.kind != "word":
        return False
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if before is not None and before.kind == "punct" and before.text in ".:$":
        return False
    if before is not None and before.kind == "word" and before.text.upper() == "AS":
        return False
    if after is not None and after.kind == "punct" and after.text in ".:":
        return False
    return True


def _statement_start(tokens: list[Token]) -> int:
    """Index of the statement's first word, after ``CYPHER`` pre-parser options."""
    if not (tokens and tokens[0].kind == "word" and tokens[0].text.upper() == "CYPHER"):
        return 0
    i = 1
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = tokens[i - 1]
        if token.kind == "punct" or token.text[0].isdigit():
            i += 1  # a version (5, 25) or the '=' / '.' of an option
        elif (nxt is not None and nxt.text == "=") or prev.text == "=":
            i += 1  # option=value
        else:
            return i
    return i


def precheck(query: str) -> None:
    """Raise :class:`RefusedStatement` when the query obviously is not a plain read.

    Only for a friendlier, earlier message: :func:`check_plan` decides.
    """
    tokens = tokenize(query)
    if not tokens:
        raise RefusedStatement("the query is empty")
    # Several statements: a ';' followed by anything but another ';'.
    for i, token in enumerate(tokens):
        if token.kind == "punct" and token.text == ";":
            if any(not (t.kind == "punct" and t.text == ";") for t in tokens[i + 1 :]):
                raise RefusedStatement("several statements: run one statement at a time")
    start = _statement_start(tokens)
    if start < len(tokens) and tokens[start].kind == "word":
        reason = _REFUSED_FIRST.get(tokens[start].text.upper())
        if reason:
            raise RefusedStatement(reason)
    for i, token in enumerate(tokens):
        if not _is_keyword(tokens, i):
            continue
        word = token.text.upper()
        reason = _REFUSED_KEYWORDS.get(word)
        if reason:
            raise RefusedStatement(reason)
        if word == "IN" and i > 0 and tokens[i - 1].text == "}":
            ahead = [t.text.upper() for t in tokens[i + 1 : i + 5] if t.kind == "word"]
            if "TRANSACTIONS" in ahead:
                raise RefusedStatement("CALL { ... } IN TRANSACTIONS writes in batches")
        if word == "CALL":
            name = _procedure_name(tokens, i + 1)
            if name and name not in ALLOWED_PROCEDURES:
                raise RefusedStatement(_procedure_refusal(name))


def _procedure_refusal(name: str) -> str:
    return (f"the procedure {name} is not allowed in the console (allowed: "
            f"{', '.join(sorted(ALLOWED_PROCEDURES))})")


def _procedure_name(tokens: list[Token], start: int) -> str:
    parts: list[str] = []
    i = start
    while i < len(tokens) and tokens[i].kind in ("word", "quoted"):
        parts.append(tokens[i].text[1:-1].replace("``", "`") if tokens[i].kind == "quoted"
                     else tokens[i].text)
        if i + 1 < len(tokens) and tokens[i + 1].text == ".":
            i += 2
        else:
            break
    return ".".join(parts)


# --------------------------------------------------------------------------------------
# Plan check: the guard (an allow-list of read operators)
# --------------------------------------------------------------------------------------
_DIRECTED = ("Directed", "Undirected")
_REL_LEAVES = ("RelationshipTypeScan", "UnionRelationshipTypesScan", "AllRelationshipsScan",
               "RelationshipByIdSeek", "RelationshipByElementIdSeek", "RelationshipIndexSeek",
               "RelationshipUniqueIndexSeek", "RelationshipIndexSeekByRange",
               "RelationshipUniqueIndexSeekByRange", "RelationshipIndexScan",
               "RelationshipIndexContainsScan", "RelationshipIndexEndsWithScan")
_PARTITIONED = ("AllNodesScan", "NodeByLabelScan", "NodeIndexScan", "NodeIndexSeek",
                "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan",
                "SubtractionNodeByLabelsScan", "Unwind",
                *(d + r for d in _DIRECTED for r in ("AllRelationshipsScan",
                                                     "RelationshipTypeScan",
                                                     "UnionRelationshipTypesScan",
                                                     "RelationshipIndexScan",
                                                     "RelationshipIndexSeek")))

#: Operators (as named in Neo4j 5 plans, without ``(...)`` and ``@database``) a query
#: may use: they only read the graph or shape rows. ``ProcedureCall`` is checked apart.
READ_OPERATORS: frozenset[str] = frozenset({
    # results and row shaping
    "ProduceResults", "EmptyResult", "Projection", "Filter", "Limit", "ExhaustiveLimit",
    "Skip", "Sort", "PartialSort", "Top", "Top1WithTies", "PartialTop", "Distinct",
    "OrderedDistinct", "EagerAggregation", "OrderedAggregation", "Eager", "Unwind",
    "CacheProperties", "NodeCountFromCountStore", "RelationshipCountFromCountStore",
    # combining rows
    "Apply", "SemiApply", "AntiSemiApply", "LetSemiApply", "LetAntiSemiApply",
    "SelectOrSemiApply", "SelectOrAntiSemiApply", "LetSelectOrSemiApply",
    "LetSelectOrAntiSemiApply", "ConditionalApply", "AntiConditionalApply", "RollUpApply",
    "Argument", "ArgumentTracker", "Optional", "Anti", "Union", "OrderedUnion",
    "CartesianProduct", "NodeHashJoin", "ValueHashJoin", "NodeLeftOuterHashJoin",
    "NodeRightOuterHashJoin", "TriadicSelection", "TriadicBuild", "TriadicFilter",
    "AssertSameNode", "AssertSameRelationship", "NullifyMetadata", "ProjectEndpoints",
    # traversals
    "Expand", "OptionalExpand", "VarLengthExpand", "BFSPruningVarLengthExpand",
    "ShortestPath", "StatefulShortestPath", "Repeat", "BidirectionalRepeatTrail",
    # node and relationship leaves
    "AllNodesScan", "NodeByLabelScan", "NodeByIdSeek", "NodeByElementIdSeek",
    "NodeIndexSeek", "NodeUniqueIndexSeek", "NodeIndexSeekByRange",
    "NodeUniqueIndexSeekByRange", "NodeIndexScan", "NodeIndexContainsScan",
    "NodeIndexEndsWithScan", "MultiNodeIndexSeek", "AssertingMultiNodeIndexSeek",
    "AssertingMultiRelationshipIndexSeek", "IntersectionNodeByLabelsScan",
    "UnionNodeByLabelsScan", "SubtractionNodeByLabelsScan",
    *(d + leaf for d in _DIRECTED for leaf in _REL_LEAVES),
    *("Partitioned" + op for op in _PARTITIONED),
})

_WRITE_PREFIXES = ("Create", "Merge", "LockingMerge", "Delete", "DetachDelete", "Set",
                   "Remove", "Foreach", "SubqueryForeach", "Insert")


def plan_operators(plan: dict) -> list[tuple[str, str]]:
    """Every ``(operator, details)`` of a plan tree (``ResultSummary.plan``), depth first.

    ``operator`` keeps Neo4j's spelling, e.g. ``Expand(All)@neo4j``.
    """
    out: list[tuple[str, str]] = []
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        details = (node.get("args") or {}).get("Details")
        out.append((str(node.get("operatorType", "")), "" if details is None else str(details)))
        stack.extend(reversed(node.get("children") or []))
    return out


def _operator_refusal(operator: str, details: str) -> str | None:
    """Why ``operator`` is refused, or None when it is a read."""
    name, _, database = operator.partition("@")
    base = name.split("(", 1)[0]
    if database == "system" or base in ("AdministrationCommand", "SystemProcedureCall"):
        return "administration commands are not allowed in the console"
    if base == "ProcedureCall":
        procedure = details.split("(", 1)[0].strip()
        return None if procedure in ALLOWED_PROCEDURES else _procedure_refusal(
            procedure or "(unknown)")
    if base in READ_OPERATORS:
        return None
    if base == "LoadCSV":
        return "LOAD CSV reads files and URLs from the server: not allowed in the console"
    if base.startswith(("Show", "Terminate")):
        return (f"SHOW and TERMINATE commands are not allowed in the console (the query "
                f"uses {base})")
    if base in ("TransactionApply", "TransactionForeach"):
        return "CALL { ... } IN TRANSACTIONS is not allowed in the console"
    if base.startswith(("Drop", "CreateIndex", "CreateConstraint", "CreateFulltext",
                        "CreateLookup", "CreatePoint", "CreateText", "CreateVector")):
        return f"the query changes the schema ({base}): the console is read-only"
    if base.startswith(_WRITE_PREFIXES):
        return f"the query writes to the graph ({base}): the console is read-only"
    return (f"the query plan uses the operator {base}, which is not on the console's list "
            "of read operators")


def check_plan(plan: dict, query_type: str | None = None) -> None:
    """Raise :class:`RefusedStatement` unless every operator of ``plan`` is a read.

    ``plan`` is the plan of ``EXPLAIN <query>`` (a dict with ``operatorType``, ``args``,
    ``children``); ``query_type`` Neo4j's statement type, which must be ``r`` (read).
    """
    operators = plan_operators(plan)
    if not operators:
        raise RefusedStatement("Neo4j gave no plan for the query: refused")
    for operator, details in operators:
        reason = _operator_refusal(operator, details)
        if reason:
            raise RefusedStatement(reason)
    if query_type not in (None, "r"):
        raise RefusedStatement(f"Neo4j classifies the statement as {query_type!r}, not as a "
                               "read: refused")

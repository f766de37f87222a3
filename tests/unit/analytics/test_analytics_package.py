import ast
import importlib
import pathlib

import service.analytics as A

PKG = pathlib.Path(A.__file__).parent
MODULES = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")


def test_every_module_has_all_and_no_db_or_web_imports():
    for name in MODULES:
        mod = importlib.import_module(f"service.analytics.{name}")
        assert hasattr(mod, "__all__"), name
        for sym in mod.__all__:
            assert hasattr(mod, sym), (name, sym)
        tree = ast.parse((PKG / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not roots & {"neo4j", "flask"}, name


def test_package_reexports():
    for sym in A.__all__:
        assert callable(getattr(A, sym)), sym


def test_public_functions_have_numpydoc_examples():
    for name in MODULES:
        if name.startswith("_"):
            continue
        mod = importlib.import_module(f"service.analytics.{name}")
        for sym in mod.__all__:
            obj = getattr(mod, sym)
            if callable(obj) and not isinstance(obj, type):
                doc = obj.__doc__ or ""
                assert "Examples" in doc and ">>>" in doc, f"{name}.{sym}"

"""No import cycles and no upward imports, read from the source; and the checker itself
catches what it is there to catch."""
import ast

from tests.architecture.import_graph import cycles, graph, imports_of, module_files, upward_imports


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_lower_layers_never_import_upward():
    assert upward_imports(graph()) == []


def test_the_lower_layers_import_no_flask():
    flask_users = []
    for name, path in module_files().items():
        if name.startswith("permits"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            roots = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            flask_users += [name for root in roots if root.split(".")[0].startswith("flask")]
    assert flask_users == []


def test_a_cycle_is_found_even_through_a_longer_loop():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_an_acyclic_graph_has_no_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_an_upward_import_is_named():
    edges = {"standards.units": {"permits.core.db"}, "permits.app": {"standards.units"}}
    assert upward_imports(edges) == [("standards.units", "permits.core.db")]


def test_function_level_imports_count(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from permits.core import db\n    import standards.units\n")
    found = imports_of("facility_registry.m", module,
                       {"permits.core", "permits.core.db", "standards.units"})
    assert found == {"permits.core.db", "standards.units"}

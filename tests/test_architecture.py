"""The layering of ARCHITECTURE.md, checked on the import graph of tfgraph/, tfgraph_keras/ and
tfgraph_cli/.

Every import counts, at module level or inside a function: a function-level import is still a
dependency. A module may import its own layer or the ones below; the import graph between files
has no circle. KNOWN_CYCLES and KNOWN_UPWARD list the debt left to pay: a new circle or upward
import fails, and so does an entry here that has been fixed (so the lists only shrink).
"""
import ast
import os

import networkx as nx

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (module prefix, layer): the first matching prefix wins. ARCHITECTURE.md explains each layer.
LAYERS = [
    ("tfgraph.framework", 0),
    ("tfgraph.kernels", 1),
    ("tfgraph.ops", 2),
    ("tfgraph.variables", 3),
    ("tfgraph.initializers", 3),
    ("tfgraph.variable_store", 4),
    ("tfgraph.runtime", 5),
    ("tfgraph.autodiff", 6),
    ("tfgraph.train", 7),
    ("tfgraph.data", 7),
    ("tfgraph.distribute", 7),
    ("tfgraph.rnn", 7),
    ("tfgraph.contrib", 7),
    ("tfgraph.debugging", 7),
    ("tfgraph.platform", 7),
    ("tfgraph.layers", 7),
    ("tfgraph.examples", 7),
    ("tfgraph.io", 7),
    ("tfgraph.keras", 9),  # tf.keras: tfgraph_keras, imported on first use
    ("tfgraph.losses", 7),
    ("tfgraph.nn", 7),
    ("tfgraph.math", 7),
    ("tfgraph.linalg", 7),
    ("tfgraph.image", 7),
    ("tfgraph.strings", 7),
    ("tfgraph.random", 7),
    ("tfgraph.summary", 8),  # writes TensorBoard event files (viz)
    ("tfgraph.graph_util", 7),
    ("tfgraph.test", 7),
    ("tfgraph.logging", 7),
    ("tfgraph.client", 7),
    ("tfgraph.testing", 7),
    ("tfgraph.viz", 8),
    ("tfgraph.onnx", 8),
    ("tfgraph_keras", 10),
    ("tfgraph_cli", 11),  # the `tfgraph` command-line tool, above everything it drives
    ("tfgraph", 9),  # the package itself: the tf.* namespace, above all of tfgraph
]

KNOWN_CYCLES = []

KNOWN_UPWARD = {
    # Sanctioned: tf.keras is tfgraph_keras (tfgraph/keras.py, loaded on first attribute access).
    ("tfgraph.keras", "tfgraph_keras"),
    # Gradients that differentiate a sub-graph with tf.gradients: the GRU cell's gate maths, and
    # the branches and bodies of tf.cond / tf.while_loop.
    ("tfgraph.ops.rnn_ops", "tfgraph.autodiff.gradients"),
    ("tfgraph.ops.control_flow_util", "tfgraph.autodiff.gradients"),
    # ONNX export of a Keras model finds the model's session through the Keras backend.
    ("tfgraph.onnx", "tfgraph_keras.backend"),
}


def _modules():
    mods = {}
    for top in ("tfgraph", "tfgraph_keras", "tfgraph_cli"):
        for folder, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    mod = os.path.relpath(path, REPO)[:-3].replace(os.sep, ".")
                    mods[mod[:-len(".__init__")] if mod.endswith(".__init__") else mod] = path
    return mods


def import_graph():
    """Module -> the project modules it imports (`from pkg import sub` counts as pkg.sub)."""
    mods = _modules()

    def resolve(name):
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name

    graph = nx.DiGraph()
    for mod, path in mods.items():
        graph.add_node(mod)
        package = mod if path.endswith("__init__.py") else mod.rpartition(".")[0]
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base + "." + a.name if base + "." + a.name in mods else base
                           for a in node.names]
            else:
                continue
            for target in targets:
                target = resolve(target)
                if target and target != mod:
                    graph.add_edge(mod, target)
    return graph


def layer_of(mod):
    for prefix, layer in LAYERS:
        if mod == prefix or mod.startswith(prefix + "."):
            return layer
    raise AssertionError("%s is in no layer of tests/test_architecture.py's LAYERS" % mod)


def test_every_module_has_a_layer():
    for mod in import_graph():
        layer_of(mod)


def test_no_import_cycles_beyond_the_known_ones():
    cycles = [c for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert new == [], "modules that import each other in a circle: %s" % new
    fixed = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert fixed == [], "fixed (or changed): remove from KNOWN_CYCLES: %s" % fixed


def test_no_module_imports_a_higher_layer():
    upward = {(a, b) for a, b in import_graph().edges() if layer_of(b) > layer_of(a)}
    assert sorted(upward - KNOWN_UPWARD) == [], "imports of a higher layer (see ARCHITECTURE.md)"
    assert sorted(KNOWN_UPWARD - upward) == [], "fixed: remove from KNOWN_UPWARD"


def test_the_checker_sees_function_level_and_relative_imports(tmp_path, monkeypatch):
    pkg = tmp_path / "tfgraph" / "framework"
    pkg.mkdir(parents=True)
    (tmp_path / "tfgraph" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from tfgraph.runtime import session\n")
    (tmp_path / "tfgraph" / "runtime").mkdir()
    (tmp_path / "tfgraph" / "runtime" / "__init__.py").write_text("")
    (tmp_path / "tfgraph" / "runtime" / "session.py").write_text("from ..framework import low\n")
    monkeypatch.setattr(__import__(__name__), "REPO", str(tmp_path))
    graph = import_graph()
    assert graph.has_edge("tfgraph.framework.low", "tfgraph.runtime.session")
    assert graph.has_edge("tfgraph.runtime.session", "tfgraph.framework.low")

"""tf.import_graph_def / import_meta_graph of malformed GraphDefs: a clear InvalidArgumentError
(also a ValueError, as TF1's importer raises), found before any op is built, in linear time."""
import copy
import json
import os
import subprocess
import sys
import textwrap

import pytest

import tfgraph as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _const(name, inputs=()):
    return {"name": name, "op": "Const", "input": list(inputs),
            "attr": {"value": {"tensor": {"dtype": "float32", "shape": [], "b64": "AACAPw=="}},
                     "dtype": {"type": "float32"}},
            "output_shapes": [[]], "output_types": ["float32"]}


def _identity(name, inp):
    return {"name": name, "op": "Identity", "input": [inp], "attr": {},
            "output_shapes": [[]], "output_types": ["float32"]}


def _gd(*nodes):
    return {"format": "tfgraph.GraphDef", "version": 1, "node": list(nodes)}


def _while_graph_def():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2.0), [tf.constant(0), x])
    return json.loads(g.as_graph_def().SerializeToString())


def _body(gd):
    while_node, = [n for n in gd["node"] if n["op"] == "While"]
    return while_node["attr"]["body"]["function"]


def _mutate(fn):
    gd = _while_graph_def()
    fn(gd)
    return gd


CASES = {
    "dangling_input": (_gd(_identity("a", "missing")), "'missing' names no node"),
    "dangling_control": (_gd(_const("a", ["^ghost"])), "'\\^ghost' names no node"),
    "duplicate_name": (_gd(_const("a"), _const("a")), "used by two nodes"),
    "empty_name": (_gd(_const("")), "not a valid node name"),
    "name_with_index": (_gd(_const("evil:1")), "not a valid node name"),
    "control_name": (_gd(_const("^ctrl")), "not a valid node name"),
    "huge_name": (_gd(_const("n" * 100000)), "100000 characters long"),
    "name_not_string": (_gd(dict(_const("a"), name=7)), "must be a string"),
    "bad_input_ref": (_gd(_const("a"), _identity("b", "a:x")), "is not 'name', 'name:k'"),
    "control_with_index": (_gd(_const("a"), _identity("b", "^a:0")), "is not 'name'|control"),
    "index_out_of_range": (_gd(_const("a"), _identity("b", "a:3")), "has 1 output"),
    "unknown_op": (_gd(dict(_const("a"), op="NoSuchOp")), "unknown op 'NoSuchOp'"),
    "unknown_attr_tag": (_gd(dict(_const("a"), attr={"value": {"pickle": "..."}})),
                         "unknown attr value"),
    "repr_attr": (_gd(dict(_const("a"), attr={"value": {"repr": "<object>"}})),
                  "unknown attr value"),
    "bad_dtype": (_gd(dict(_const("a"), attr={"dtype": {"type": "float99"}})),
                  "not a valid 'type'"),
    "tensor_size_mismatch": (_gd(dict(_const("a"), attr={"value": {"tensor": {
        "dtype": "float32", "shape": [100000, 100000], "b64": "AACAPw=="}}})), "needs"),
    "tensor_bad_base64": (_gd(dict(_const("a"), attr={"value": {"tensor": {
        "dtype": "float32", "shape": [], "b64": "!!!!"}}})), "not base64"),
    "deep_attr": (_gd(dict(_const("a"), attr={
        "value": json.loads('{"list": [' * 100 + ']}' * 100)})), "nested more than"),
    "unknown_attr_name": (_gd(dict(_const("a"), attr=dict(_const("a")["attr"], evil={"i": 1}))),
                          "op Const has no attr 'evil'"),
    "function_cycle": (_mutate(lambda gd: _body(gd)["node"].append(_identity("loop_var", "x"))),
                       "used by two nodes"),
    "function_dangling": (_mutate(lambda gd: _body(gd)["node"][3]["input"].append("nowhere")),
                          "function 'while/body'.*'nowhere' names no node"),
    "function_bad_output": (_mutate(lambda gd: _body(gd)["outputs"].append("ghost:0")),
                            "outputs entry 'ghost:0'"),
    "function_unknown_op": (_mutate(lambda gd: _body(gd)["node"].__setitem__(
        2, dict(_body(gd)["node"][2], op="Evil"))), "unknown op 'Evil'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_graph_def_is_refused_before_building(case):
    graph_def, pattern = CASES[case]
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="existing")
        before = [op.name for op in g.get_operations()]
        with pytest.raises(tf.errors.InvalidArgumentError, match=pattern) as info:
            tf.import_graph_def(copy.deepcopy(graph_def), name="imp")
        assert isinstance(info.value, ValueError)  # TF1's importer raises ValueError
        assert "import_graph_def" in str(info.value)
        assert [op.name for op in g.get_operations()] == before


def test_the_valid_while_graph_def_still_imports():
    gd = _while_graph_def()
    with tf.Graph().as_default() as g:
        tf.import_graph_def(gd, name="imp")
        assert any(op.type == "While" for op in g.get_operations())


def test_not_json_is_invalid_argument():
    with tf.Graph().as_default():
        with pytest.raises(tf.errors.InvalidArgumentError, match="cannot be read"):
            tf.import_graph_def(b"{not json")


# Cyclic graphs are imported in a child process with a 3 GB address-space limit: before the fix
# the importer looped forever, growing ~270 MB/s.
_CYCLES = textwrap.dedent("""
    import json, resource, sys, tempfile, time
    import tfgraph as tf
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    def ident(name, inp):
        return {"name": name, "op": "Identity", "input": [inp]}

    def refused(pattern, fn):
        try:
            fn()
        except tf.errors.InvalidArgumentError as e:
            assert isinstance(e, ValueError) and pattern in str(e), e
        else:
            sys.exit("accepted a cyclic graph")

    with tf.Graph().as_default() as g:
        gd = {"format": "tfgraph.GraphDef", "version": 1,
              "node": [ident("c1", "c2"), ident("c2", "c1")]}
        refused("c1 -> c2 -> c1", lambda: tf.import_graph_def(gd))
        refused("cycle (each an input of the next: a -> a)", lambda: tf.import_graph_def(
            {"format": "tfgraph.GraphDef", "version": 1, "node": [ident("a", "a")]}))
        with tempfile.NamedTemporaryFile("w", suffix=".meta", delete=False) as f:
            json.dump({"format": "tfgraph.MetaGraphDef", "version": 1, "graph_def": gd,
                       "collection_def": {}}, f)
        refused("cycle", lambda: tf.train.import_meta_graph(f.name))
        assert g.get_operations() == []

    n = int(sys.argv[1])
    nodes = [{"name": "c%d" % i, "op": "Identity", "input": ["c%d" % ((i + 1) % n)]}
             for i in range(n)]
    data = json.dumps({"format": "tfgraph.GraphDef", "version": 1, "node": nodes}).encode()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        tf.import_graph_def(data)
    except tf.errors.InvalidArgumentError as e:
        assert "cycle" in str(e), e
    else:
        sys.exit("imported a cyclic graph")
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
    print("REJECTED %d bytes in %.3f s CPU (%.3f s wall), peak RSS grew %d kB"
          % (len(data), cpu, wall, grown))
""")


def test_cyclic_graphs_are_refused_and_a_1mb_one_within_a_second_with_bounded_memory():
    """c1 <- c2 <- c1, a self-loop, the same through import_meta_graph, and 17,000 nodes in a
    ring (about 1 MB of JSON)."""
    env = dict(os.environ, PYTHONPATH=_ROOT)
    proc = subprocess.run([sys.executable, "-c", _CYCLES, "17000"], cwd=_ROOT, env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line, = [x for x in proc.stdout.splitlines() if x.startswith("REJECTED")]
    seconds, kb = float(line.split()[4]), int(line.split()[-2])
    assert seconds < 1.0, line  # CPU seconds: parse + validate, linear in the size
    assert kb < 100 * 1024, line

"""to_networkx: ops as nodes, tensors as edges; GraphML and node-link JSON round trips."""
from tfgraph import viz


def test_node_set_is_the_op_set_and_edges_are_tensors(model):
    g = viz.to_networkx(model.graph)
    ops = model.graph.get_operations()
    assert set(g.nodes) == {op.name for op in ops}
    n_data = sum(len(op.inputs) for op in ops)
    n_ctrl = sum(len(op.control_inputs) for op in ops)
    assert g.number_of_edges() == n_data + n_ctrl
    assert sum(1 for *_, d in g.edges(data=True) if d["control"]) == n_ctrl > 0
    x = g.nodes["x"]
    assert x["type"] == "Placeholder" and x["output_shapes"] == ["?x4"]
    assert x["output_dtypes"] == ["float32"] and "conftest.py:" in x["location"]
    edge = next(d for u, v, d in g.edges(data=True) if u == "x")
    assert edge["tensor"] == "x:0" and edge["shape"] == "?x4" and edge["dtype"] == "float32"
    assert g.nodes["out/y"]["type"] == "Sigmoid"


def test_graphml_round_trip(model, tmp_path):
    path = viz.write_graphml(model.graph, str(tmp_path / "g.graphml"))
    g0, g1 = viz.to_networkx(model.graph), viz.read_graphml(path)
    assert set(g1.nodes) == set(g0.nodes)
    assert g1.number_of_edges() == g0.number_of_edges()
    for n, d in g0.nodes(data=True):
        assert g1.nodes[n] == d
    assert sorted((u, v, d["tensor"]) for u, v, d in g1.edges(data=True)) == \
        sorted((u, v, d["tensor"]) for u, v, d in g0.edges(data=True))


def test_node_link_json_round_trip(model, tmp_path):
    path = viz.write_json(model.graph, str(tmp_path / "g.json"))
    g0, g1 = viz.to_networkx(model.graph), viz.read_json(path)
    assert dict(g1.nodes(data=True)) == dict(g0.nodes(data=True))
    assert sorted(g1.edges(keys=True)) == sorted(g0.edges(keys=True))

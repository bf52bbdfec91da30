"""Graph, Operation and TF1 op naming."""
import pytest

import tfgraph as tf

HERE = __file__


def test_default_graph_stack_nests_and_restores():
    outer = tf.get_default_graph()
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default() as entered:
        assert entered is g1 and tf.get_default_graph() is g1
        with g2.as_default():
            assert tf.get_default_graph() is g2
            c = tf.constant(1.0)
        assert tf.get_default_graph() is g1
    assert tf.get_default_graph() is outer
    assert c.graph is g2 and c.op.graph is g2


def test_reset_default_graph_gives_fresh_graph_and_refuses_inside_nesting():
    tf.reset_default_graph()
    old = tf.get_default_graph()
    tf.constant(1.0)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old
    assert tf.get_default_graph().get_operations() == []
    with tf.Graph().as_default():
        with pytest.raises(AssertionError):
            tf.reset_default_graph()


def test_lookup_by_name():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.identity(x, name="y")
        assert g.get_operations() == [x.op, y.op]
        assert g.get_operation_by_name("y") is y.op
        assert g.get_tensor_by_name("y:0") is y
        assert g.as_graph_element("x:0") is x
        with pytest.raises(KeyError, match="does not exist"):
            g.get_tensor_by_name("nope:0")
        with pytest.raises(KeyError, match="only has 1 outputs"):
            g.get_tensor_by_name("y:1")
        with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
            g.get_tensor_by_name("y")
        with pytest.raises(ValueError, match="appears to refer to a Tensor"):
            g.get_operation_by_name("y:0")
        with pytest.raises(TypeError):
            g.get_operation_by_name(3)


def test_collections():
    with tf.Graph().as_default() as g:
        v = tf.Variable(1.0, name="v")
        u = tf.Variable(2.0, name="u", trainable=False)
        with tf.variable_scope("s"):
            w = tf.get_variable("w", [2])
        assert tf.global_variables() == [v, u, w]
        assert tf.trainable_variables() == [v, w]
        assert tf.trainable_variables(scope="s") == [w]
        assert g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [v, u, w]
        tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, v.initializer)
        tf.add_to_collections(["a", "b"], 5)
        assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [v.initializer]
        assert g.get_collection("a") == g.get_collection("b") == [5]
        ref = tf.get_collection_ref(tf.GraphKeys.SUMMARIES)
        ref.append("s1")
        assert tf.get_collection(tf.GraphKeys.SUMMARIES) == ["s1"]
        got = tf.get_collection("a")
        got.append(6)  # get_collection returns a copy
        assert tf.get_collection("a") == [5]
        assert set(g.get_all_collection_keys()) >= {"variables", "trainable_variables", "a", "b"}


def test_finalize_forbids_new_ops_but_runs():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(2.0)
        y = x * 3.0
    g.finalize()
    assert g.finalized
    with g.as_default():
        with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified"):
            tf.constant(1.0)
    with tf.Session(graph=g) as sess:
        assert sess.run(y) == 6.0


def test_operation_properties_and_user_location():
    with tf.Graph().as_default() as g:
        a = tf.placeholder(tf.float32, [2, 3], name="a")
        b = tf.placeholder(tf.float32, [3, 4], name="b")
        with tf.control_dependencies([a.op]):
            m = tf.matmul(a, b, transpose_b=False); line = _line()  # noqa: E702
        op = m.op
        assert op.name == "MatMul" and op.type == "MatMul"
        assert op.inputs == [a, b] and op.outputs == [m]
        assert op.control_inputs == []  # a is already a data input, as TF drops it
        assert op.get_attr("transpose_a") is False
        with pytest.raises(ValueError):
            op.get_attr("nope")
        assert op.location == "%s:%d" % (HERE, line)
        assert op.graph is g and m.graph is g
        assert a.consumers() == [op]
        with tf.control_dependencies([b]):
            c = tf.identity(a)
        assert c.op.control_inputs == [b.op]
        nd = c.op.node_def
        assert nd["op"] == "Identity" and nd["input"] == ["a", "^b"]


def _line():
    import sys
    return sys._getframe(1).f_lineno


def test_op_naming_matches_tf1():
    with tf.Graph().as_default():
        a = tf.ones([2, 2])
        assert tf.matmul(a, a).name == "MatMul:0"
        assert tf.matmul(a, a).name == "MatMul_1:0"
        with tf.name_scope("layer1"):
            assert tf.matmul(a, a).name == "layer1/MatMul:0"
            assert tf.matmul(a, a, name="mm").name == "layer1/mm:0"
        assert tf.matmul(a, a, name="mm").name == "mm:0"
        assert tf.matmul(a, a, name="mm").name == "mm_1:0"
        # the uniquifier is case-insensitive, as TF1's
        assert tf.matmul(a, a, name="matmul").name == "matmul_2:0"
        # an explicit name that clashes with a generated suffix
        assert tf.identity(a, name="x_1").name == "x_1:0"
        assert tf.identity(a, name="x").name == "x:0"
        assert tf.identity(a, name="x").name == "x_2:0"
        assert (a + a).name == "add:0" and (a + a).name == "add_1:0"
        assert (a - a).name == "sub:0" and (a * a).name == "mul:0"
        assert (a / a).name == "truediv:0"


def test_name_scope_rules():
    with tf.Graph().as_default():
        a = tf.ones([2])
        with tf.name_scope("layer1") as scope:
            assert scope == "layer1/"
            with tf.name_scope("inner") as inner:
                assert inner == "layer1/inner/"
                assert tf.identity(a).name == "layer1/inner/Identity:0"
            with tf.name_scope(None):
                assert tf.identity(a).name == "Identity:0"
            with tf.name_scope(""):
                assert tf.get_default_graph().get_name_scope() == ""
        with tf.name_scope("layer1") as again:  # re-entering by name makes a new scope
            assert again == "layer1_1/"
        with tf.name_scope(scope):  # ... while the captured string re-enters it
            assert tf.identity(a).name == "layer1/Identity:0"
        with tf.name_scope("layer1/"):
            assert tf.identity(a).name == "layer1/Identity_1:0"
        with tf.name_scope(None, "default") as d:
            assert d == "default/"
        with tf.name_scope("y", values=[a]) as y:
            assert y == "y/"
        with tf.name_scope("a/b") as ab:
            assert ab == "a/b/"
            assert tf.identity(a).name == "a/b/Identity:0"


def test_name_scope_takes_graph_from_values():
    g = tf.Graph()
    with g.as_default():
        a = tf.ones([2])
    with tf.name_scope("s", values=[a]):
        assert tf.get_default_graph() is g
        assert tf.identity(a).name == "s/Identity:0"


def test_cross_graph_inputs_rejected():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.ones([2])
    with g2.as_default():
        b = tf.ones([2])
        with pytest.raises(ValueError, match="must be from the same graph"):
            tf.add(a, b)


def test_device_is_recorded():
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            c = tf.constant(1.0)
        assert c.device == "/cpu:0"
        assert tf.constant(1.0).device == ""

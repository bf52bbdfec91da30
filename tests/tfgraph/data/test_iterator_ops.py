"""tf.data iterators: initialization, re-initialization with feeds, reinitializable and feedable
iterators, one advance per sess.run, per-session state; against TensorFlow's recorded behaviour
(tests/data/tf_data_cases.json, "behaviours", from tests/reference/make_tf_data_cases.py)."""
import json
import os
import threading

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "..", "data", "tf_data_cases.json")) as _f:
    TF = json.load(_f)["behaviours"]


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default():
        yield


def _drain(sess, nxt, feed=None):
    out = []
    while True:
        try:
            out.append(sess.run(nxt, feed))
        except tf.errors.OutOfRangeError:
            return out


def test_initializable_iterator_with_placeholder_feeds():
    x = tf.placeholder(tf.float32, [None, 2])
    ds = tf.data.Dataset.from_tensor_slices(x).map(lambda v: v * 2.0).batch(2)
    it = tf.data.make_initializable_iterator(ds)
    nxt = it.get_next()
    assert [d.value for d in tf.data.get_output_shapes(ds)] == TF["init_output_shapes"]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as e:
            sess.run(nxt)
        assert [type(e.value).__name__, e.value.message] == TF["before_init"]
        runs = []
        for feed in (np.arange(6, dtype=np.float32).reshape(3, 2), np.ones((1, 2), np.float32)):
            sess.run(it.initializer, {x: feed})
            runs.append([v.tolist() for v in _drain(sess, nxt)])
        assert runs == TF["reinit_runs"]
        # re-initializing in the middle restarts from the new feed
        sess.run(it.initializer, {x: np.full((4, 2), 3.0, np.float32)})
        sess.run(nxt)
        sess.run(it.initializer, {x: np.zeros((3, 2), np.float32)})
        a = sess.run([nxt, nxt])  # one op fetched twice: one advance
        assert [a[0].tolist(), a[1].tolist()] == TF["same_run_twice"]
        assert sess.run(nxt).shape == (1, 2)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(nxt)


def test_one_shot_iterator_rejects_placeholders():
    x = tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(ValueError) as e:
        tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensor_slices(x))
    assert [type(e.value).__name__, str(e.value)] == TF["one_shot_placeholder"]
    with pytest.raises(ValueError, match="Cannot capture a placeholder"):
        tf.data.Dataset.range(3).map(lambda v: tf.cast(v, tf.float32) * x).make_one_shot_iterator()


def test_reinitializable_iterator_from_structure():
    it = tf.data.Iterator.from_structure(tf.int64, tf.TensorShape([]))
    nxt = it.get_next()
    init_a = it.make_initializer(tf.data.Dataset.range(3))
    init_b = it.make_initializer(tf.data.Dataset.range(10, 12))
    assert it.output_types == tf.int64 and TF["from_structure_types"] == "int64"
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as e:
            sess.run(nxt)
        assert [type(e.value).__name__, e.value.message] == TF["from_structure_before_init"]
        seq = []
        for init in (init_a, init_b, init_a):
            sess.run(init)
            seq.append([int(sess.run(nxt)) for _ in range(2)])
        assert seq == TF["reinitializable"]
    with pytest.raises(TypeError) as e:
        it.make_initializer(tf.data.Dataset.range(3).map(lambda v: tf.cast(v, tf.float32)))
    assert [type(e.value).__name__, str(e.value)] == TF["make_initializer_mismatch"]
    with pytest.raises(ValueError, match="does not have an initializer"):
        it.initializer  # noqa: B018


def test_feedable_iterator_from_string_handle():
    handle = tf.placeholder(tf.string, shape=[])
    ds_a = tf.data.Dataset.range(100)
    ds_b = tf.data.Dataset.range(5).map(lambda v: v * -1)
    it = tf.data.Iterator.from_string_handle(handle, ds_a.output_types, ds_a.output_shapes)
    nxt = it.get_next()
    a_it = ds_a.make_one_shot_iterator()
    b_it = ds_b.make_initializable_iterator()
    with tf.Session() as sess:
        ha, hb = sess.run([a_it.string_handle(), b_it.string_handle()])
        assert type(ha).__name__ == TF["string_handle_type"]
        sess.run(b_it.initializer)
        assert [int(sess.run(nxt, {handle: h})) for h in (ha, ha, hb, ha, hb)] == \
            TF["string_handle"]
        with pytest.raises(tf.errors.InvalidArgumentError, match="string handle"):
            sess.run(nxt, {handle: b"nonsense"})
        f_it = tf.data.Dataset.range(2).map(lambda v: tf.cast(v, tf.float32)) \
            .make_one_shot_iterator()
        hf = sess.run(f_it.string_handle())
        with pytest.raises(tf.errors.InvalidArgumentError, match="mismatch"):
            sess.run(nxt, {handle: hf})


def test_each_session_iterates_independently():
    nxt = tf.data.Dataset.range(4).make_one_shot_iterator().get_next()
    x = tf.placeholder(tf.int64, [None])
    it = tf.data.Dataset.from_tensor_slices(x).make_initializable_iterator()
    n2 = it.get_next()
    s1, s2 = tf.Session(), tf.Session()
    assert [s1.run(nxt), s1.run(nxt)] == [0, 1]
    assert [s2.run(nxt)] == [0]
    assert s1.run(nxt) == 2 and s2.run(nxt) == 1
    s1.run(it.initializer, {x: [5, 6]})
    with pytest.raises(tf.errors.FailedPreconditionError):
        s2.run(n2)
    s2.run(it.initializer, {x: [7]})
    assert [s1.run(n2), s2.run(n2), s1.run(n2)] == [5, 7, 6]
    with pytest.raises(tf.errors.OutOfRangeError):
        s2.run(n2)


def test_get_next_advances_once_per_run_and_is_never_merged():
    a, b = tf.data.Dataset.zip((tf.data.Dataset.range(10), tf.data.Dataset.range(10, 20))) \
        .make_one_shot_iterator().get_next()
    assert a.op is b.op and a.op.type == "IteratorGetNext"
    doubled = a * 2
    with tf.Session() as sess:
        assert sess.run([a, doubled, b]) == [0, 0, 10]
        assert sess.run(b) == 11
        assert sess.run(doubled) == 4
    # two get_next() calls are two ops: both advance in one run
    it = tf.data.Dataset.range(10).make_one_shot_iterator()
    n1, n2 = it.get_next(), it.get_next()
    with tf.Session() as sess:
        assert sorted(sess.run([n1, n2])) == [0, 1]


def test_fetched_elements_are_copies():
    data = np.arange(6.0).reshape(3, 2)
    nxt = tf.data.Dataset.from_tensor_slices(data).make_one_shot_iterator().get_next()
    data[0, 0] = 100.0  # the dataset holds its own copy, as a TF constant would
    with tf.Session() as sess:
        first = sess.run(nxt)
        assert first.tolist() == [0.0, 1.0]
        first[1] = -1.0
        assert sess.run(nxt).tolist() == [2.0, 3.0]


def test_threads_share_one_iterator_without_losing_elements():
    nxt = tf.data.Dataset.range(400).map(lambda v: v + 1).make_one_shot_iterator().get_next()
    sess = tf.Session()
    got, lock = [], threading.Lock()

    def work():
        while True:
            try:
                v = sess.run(nxt)
            except tf.errors.OutOfRangeError:
                return
            with lock:
                got.append(int(v))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 401))


def test_map_reads_variables_live_and_captures_placeholders_at_initialization():
    w = tf.Variable(2, dtype=tf.int64)
    scale = tf.placeholder(tf.int64, [])
    ds = tf.data.Dataset.range(3).map(lambda v: v * w + scale)
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(it.initializer, {scale: 100})
        assert sess.run(nxt) == 100
        sess.run(tf.assign(w, 10))
        assert sess.run(nxt) == 110  # the variable is read when the element is made
        assert sess.run(nxt, {scale: 0}) == 120  # the placeholder was captured at init


def test_map_function_ops_do_not_disturb_user_names_or_control_dependencies():
    c = tf.constant(1.0, name="c")
    with tf.control_dependencies([c]):
        ds = tf.data.Dataset.range(3).map(lambda v: tf.cast(v, tf.float32) + 1.0)
    y = tf.add(c, 1.0)
    assert y.op.name == "Add"
    traced = [op for op in tf.get_default_graph().get_operations()
              if op.name.startswith("Dataset_map/")]
    assert traced and all(not op.control_inputs for op in traced)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [sess.run(nxt) for _ in range(3)] == [1.0, 2.0, 3.0]


def test_py_func_in_map_and_its_errors():
    calls = []

    def f(v):
        calls.append(type(v))
        return v * 3

    nxt = tf.data.Dataset.range(3).map(lambda x: tf.py_func(f, [x], tf.int64)) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [sess.run(nxt) for _ in range(3)] == [0, 3, 6]
    assert len(calls) == 3
    bad = tf.data.Dataset.range(2).map(lambda x: tf.py_func(lambda v: "x", [x], tf.int64)) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="expects int64"):
            sess.run(bad)


def test_py_func_as_a_plain_op():
    x = tf.placeholder(tf.float32, [None])
    # the values must have the declared dtypes, as in TF (a.sum() of float32 is float32)
    y, z = tf.py_func(lambda a: (a * 2, np.float64(a.sum())), [x], [tf.float32, tf.float64])
    assert y.shape.ndims is None and y.dtype == tf.float32 and z.dtype == tf.float64
    with tf.Session() as sess:
        yv, zv = sess.run([y, z], {x: [1.0, 2.0]})
    assert yv.tolist() == [2.0, 4.0] and zv.dtype == np.float64 and zv == 3.0
    with pytest.raises(ValueError, match="Expected func to be callable"):
        tf.py_func(3, [x], tf.float32)


def test_shuffle_is_a_permutation_reproducible_with_seeds():
    def run(ds, n, graph_seed=None):
        with tf.Graph().as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            nxt = ds().make_one_shot_iterator().get_next()
            with tf.Session() as sess:
                return [int(sess.run(nxt)) for _ in range(n)]

    full = run(lambda: tf.data.Dataset.range(50).shuffle(50, seed=3), 50)
    assert sorted(full) == list(range(50)) and full != list(range(50))
    assert run(lambda: tf.data.Dataset.range(50).shuffle(50, seed=3), 50) == full
    assert run(lambda: tf.data.Dataset.range(50).shuffle(50, seed=4), 50) != full
    # a graph seed alone makes it reproducible too
    g = run(lambda: tf.data.Dataset.range(50).shuffle(50), 50, graph_seed=1)
    assert g == run(lambda: tf.data.Dataset.range(50).shuffle(50), 50, graph_seed=1)
    # a buffer of k: element i comes out no earlier than position i - k + 1
    small = run(lambda: tf.data.Dataset.range(100).shuffle(5, seed=1), 100)
    assert sorted(small) == list(range(100))
    assert all(pos >= v - 4 for pos, v in enumerate(small)) and small != list(range(100))
    # reshuffled each epoch by default; the same order every epoch when asked
    two = run(lambda: tf.data.Dataset.range(20).shuffle(20, seed=5).repeat(2), 40)
    assert sorted(two[:20]) == sorted(two[20:]) == list(range(20)) and two[:20] != two[20:]
    same = run(lambda: tf.data.Dataset.range(20).shuffle(
        20, seed=5, reshuffle_each_iteration=False).repeat(2), 40)
    assert same[:20] == same[20:]


def test_shuffle_reinitialized_with_a_seed_repeats_its_order():
    it = tf.data.Dataset.range(30).shuffle(30, seed=7).make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        orders = []
        for _ in range(2):
            sess.run(it.initializer)
            orders.append(_drain(sess, nxt))
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(30))


def test_pipeline_errors_name_the_iterator_and_leave_the_session_usable():
    nxt = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill(tf.stack([x]), x)).batch(2) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot add tensor to the "
                           "batch: number of elements does not match") as e:
            sess.run(nxt)
        assert e.value.op.type == "IteratorGetNext"
        assert sess.run(tf.constant(2)) == 2
    gen = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.int32,
                                         tf.TensorShape([2])).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(gen).tolist() == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
            sess.run(gen)


def test_construction_errors():
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(ValueError, match="predicate"):
        tf.data.Dataset.range(3).filter(lambda x: x)
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        tf.data.Dataset.range(3).concatenate(tf.data.Dataset.from_tensors(1.0))
    with pytest.raises(TypeError, match="must return a `Dataset`"):
        tf.data.Dataset.range(3).flat_map(lambda x: x)
    with pytest.raises(RuntimeError, match="eager"):
        iter(tf.data.Dataset.range(3))


def test_element_spec_and_numpy_iterator():
    ds = tf.data.Dataset.from_tensor_slices({"a": np.zeros((4, 2), np.float32),
                                             "b": np.arange(4)}).batch(3)
    spec = ds.element_spec
    assert repr(spec["a"]) == "TensorSpec(shape=(None, 2), dtype=tf.float32, name=None)"
    assert spec["b"].dtype == tf.int64 and ds.output_classes["a"] is tf.Tensor
    got = list(ds.as_numpy_iterator())
    assert [g["b"].tolist() for g in got] == [[0, 1, 2], [3]]


def test_plain_plans_are_untouched_by_datasets():
    x = tf.placeholder(tf.float32, [None])
    y = x * 2.0
    tf.data.Dataset.from_tensor_slices(x).map(lambda v: v + 1.0).make_initializable_iterator()
    with tf.Session() as sess:
        plan_ops = sess._plan((x,), (y,), ()).ops
        assert [op.type for op in plan_ops] == ["Const", "Mul"]
        assert sess.run(y, {x: [1.0]}).tolist() == [2.0]


_SCALE = lambda a, b: (a * 2.0 + 1.0, tf.cast(b, tf.float32) / 3.0)  # noqa: E731


@pytest.mark.parametrize("tail", [
    lambda d: d.batch(7),
    lambda d: d.batch(7, drop_remainder=True),
    lambda d: d.shuffle(9, seed=4).batch(5),
    lambda d: d.shuffle(40, seed=4).repeat(3).batch(16),
    lambda d: d.repeat(2).skip(5).take(30).shuffle(4, seed=1).batch(6).repeat(2),
    lambda d: d.skip(37).batch(2),
    lambda d: d.map(_SCALE).batch(8),
    lambda d: d.shuffle(40, seed=3).map(_SCALE).repeat(2).map(lambda a, b: (tf.abs(a - 50.0), b))
    .batch(12),
    lambda d: d.map(_SCALE).shuffle(10, seed=2).shard(2, 1).batch(6),
])
def test_batches_of_rows_equal_batches_of_elements(tail):
    """Batching slices gathers rows (and runs elementwise maps once per batch); after a map that
    is not elementwise it stacks elements: the same batches."""
    x = np.arange(40 * 3, dtype=np.float32).reshape(40, 3)
    y = np.arange(40) * 10

    def run(ds):
        with tf.Graph().as_default():
            nxt = ds().make_one_shot_iterator().get_next()
            with tf.Session() as sess:
                return [[a.tolist() for a in v] for v in _drain(sess, nxt)]

    rows = run(lambda: tail(tf.data.Dataset.from_tensor_slices((x, y))))
    elements = run(lambda: tail(tf.data.Dataset.from_tensor_slices((x, y)).map(
        lambda a, b: (tf.reshape(a, [3]), b))))
    assert rows == elements and len(rows) > 0


@pytest.mark.parametrize("fn, elementwise", [
    (lambda a, b: (tf.cast(a, tf.float32) / 255.0, tf.cast(b, tf.int32)), True),
    (lambda a, b: (a, b), True),
    (lambda a, b: (tf.nn.relu(a - tf.Variable(1.0)), b), True),
    (lambda a, b: (a, tf.one_hot(b, 10)), False),
    (lambda a, b: (tf.reshape(a, [3, 1]), b), False),
    (lambda a, b: (a * tf.cast(b, tf.float32), b), False),  # broadcasts one component on another
    (lambda a, b: (a + tf.random_uniform([]), b), False),  # one draw per element
    (lambda a, b: (a * tf.constant([1.0, 2.0, 3.0]), b), False),
    (lambda a, b: (a, tf.constant(1)), False),
    (lambda a, b: (tf.reduce_sum(a), b), False),
])
def test_which_maps_run_once_per_batch(fn, elementwise):
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 3), np.float32), np.arange(4))).map(fn)
    assert ds._fn.elementwise is elementwise


def test_experimental_shuffle_and_repeat():
    nxt = tf.data.Dataset.range(10).apply(tf.data.experimental.shuffle_and_repeat(10, 3, seed=2)) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = _drain(sess, nxt)
    epochs = [got[i:i + 10] for i in range(0, 30, 10)]
    assert len(got) == 30 and all(sorted(e) == list(range(10)) for e in epochs)
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]
    assert tf.data.experimental.AUTOTUNE == tf.data.AUTOTUNE == -1


def test_map_with_variables_and_random_ops_compiles_in_a_fresh_session():
    """The map's plan is made inside the session (it asks the session for the variable's slot and
    the random op's generator while being made)."""
    w = tf.Variable(3.0)
    nxt = tf.data.Dataset.range(4).map(
        lambda v: tf.cast(v, tf.float32) * w + tf.random_uniform([], 0.0, 0.5, seed=1)) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            sess.run(nxt)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = [sess.run(nxt) for _ in range(4)]
    assert all(3.0 * i <= g < 3.0 * i + 0.5 for i, g in enumerate(got))


def test_initializer_takes_the_values_of_its_feeds_and_variables_at_that_moment():
    v = tf.Variable([1.0, 2.0, 3.0])
    x = tf.placeholder(tf.float32, [None])
    it = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(v),
                              tf.data.Dataset.from_tensor_slices(x))).make_initializable_iterator()
    a, b = it.get_next()
    fed = np.array([10.0, 20.0, 30.0], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(it.initializer, {x: fed})
        assert sess.run([a, b]) == [1.0, 10.0]
        sess.run(tf.assign(v, [-1.0, -2.0, -3.0]))
        fed[:] = 0.0
        assert sess.run([a, b]) == [2.0, 20.0]

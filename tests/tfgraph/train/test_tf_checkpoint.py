"""TensorFlow's V2 checkpoint layout: checkpoints written by TensorFlow 2.21's tf.compat.v1 Saver
(tests/data/tf_checkpoints, from tests/reference/make_tf_checkpoints.py) restore into tfgraph,
tfgraph's writes are byte-identical to the fixture TensorFlow restored, the reader API and
init_from_checkpoint match TF's recorded results."""
import json
import os
import shutil
import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.kernels.crc32c import crc32c, mask, unmask
from tfgraph.train import checkpoint_utils, tensor_bundle

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "tf_checkpoints")
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import ckpt_cases  # noqa: E402

with open(os.path.join(DATA, "expected.json")) as _f:
    EXPECTED = json.load(_f)


@pytest.fixture
def ckpt_dir(tmp_path):
    """A private copy of the fixtures (tests must not depend on the checkout's absolute path)."""
    dst = tmp_path / "ckpts"
    shutil.copytree(DATA, dst)
    return str(dst)


def _zeros(values):
    return {k: np.zeros_like(np.asarray(v)) for k, v in values.items()}


def test_crc32c_known_values():
    assert crc32c(b"123456789") == 0xE3069283          # the standard check value
    assert crc32c(bytes(32)) == 0x8A9136AA               # RFC 3720 test vectors
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(bytes(range(32))) == 0x46DD794E
    data = np.random.RandomState(0).randint(0, 256, 1000, dtype=np.uint8).tobytes()
    assert crc32c(data[300:], crc32c(data[:300])) == crc32c(data)   # continuable
    assert crc32c(memoryview(data)[1:]) == crc32c(data[1:])           # unaligned start
    assert unmask(mask(0x12345678)) == 0x12345678 and mask(0) == 0xA282EAD8


def _crc32c_reference(data):
    """Bit-at-a-time CRC-32C, the definition the table-driven kernel must match."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32c_kernel_matches_the_bitwise_reference():
    rs = np.random.RandomState(1)
    buf = rs.randint(0, 256, 300, dtype=np.uint8)
    for start in range(9):              # every alignment of the 8-byte loads
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200]:
            chunk = buf[start:start + n]
            assert crc32c(chunk) == _crc32c_reference(chunk.tobytes()), (start, n)
    assert crc32c(np.arange(6, dtype=np.float64).reshape(2, 3)) == \
        _crc32c_reference(np.arange(6, dtype=np.float64).tobytes())


def test_tf_model_checkpoint_restores_and_predicts(ckpt_dir):
    exp = EXPECTED["model"]
    model_dir = os.path.join(ckpt_dir, "model")
    prefix = tf.train.latest_checkpoint(model_dir)
    assert prefix == os.path.join(ckpt_dir, exp["prefix"])
    with tf.Graph().as_default():
        x, y, vs = ckpt_cases.build_model(tf, _zeros(ckpt_cases.model_values(0)))
        with tf.Session() as sess:   # no initializer run: restore alone sets every variable
            tf.train.Saver().restore(sess, prefix)
            got = sess.run(vs)
            pred = sess.run(y, {x: ckpt_cases.X})
    for name, value in exp["values"].items():
        assert got[name].dtype.name == exp["dtypes"][name], name
        np.testing.assert_array_equal(got[name], np.array(value, exp["dtypes"][name]), name)
    np.testing.assert_allclose(pred, exp["y"], rtol=1e-6, atol=1e-6)
    state = tf.train.get_checkpoint_state(model_dir)
    assert state.all_model_checkpoint_paths == [os.path.join(ckpt_dir, exp["older"]), prefix]
    older = tf.train.load_variable(os.path.join(ckpt_dir, exp["older"]), "dense/bias")
    np.testing.assert_array_equal(older * 2, got["dense/bias"])   # saved before the doubling
    assert tf.train.load_variable(os.path.join(ckpt_dir, exp["older"]), "global_step") == 4


def test_tf_adam_training_checkpoint_resumes_in_tfgraph(ckpt_dir):
    """A TF training checkpoint (weights, Adam slots, beta powers, global_step) restores into the
    same graph built with tfgraph, and training goes on with TF's losses."""
    exp = EXPECTED["adam"]
    prefix = tf.train.latest_checkpoint(os.path.join(ckpt_dir, "adam"))
    assert prefix == os.path.join(ckpt_dir, exp["prefix"])
    with tf.Graph().as_default():
        x, t, loss, train, vs = ckpt_cases.build_training(tf, _zeros(ckpt_cases.model_values(2)))
        saver = tf.train.Saver()
        assert sorted(saver._vars) == [n for n, _ in exp["list_variables"]]
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            feed = {x: ckpt_cases.X, t: ckpt_cases.T}
            losses = [sess.run([loss, train], feed)[0] for _ in range(2)]
            final = sess.run({k: vs[k] for k in exp["final"]})
            step = sess.run(vs["global_step"])
    np.testing.assert_allclose(losses, exp["losses_after_restore"], rtol=1e-5)
    for k, value in exp["final"].items():
        np.testing.assert_allclose(final[k], value, rtol=1e-5, atol=1e-6)
    assert step == int(exp["prefix"].rsplit("-", 1)[1]) + 2


def test_reader_api_on_tf_checkpoint(ckpt_dir):
    exp = EXPECTED["model"]
    model_dir = os.path.join(ckpt_dir, "model")
    prefix = os.path.join(ckpt_dir, exp["prefix"])
    assert tf.train.list_variables(model_dir) == sorted(
        (n, list(np.shape(v))) for n, v in exp["values"].items())
    np.testing.assert_array_equal(tf.train.load_variable(model_dir, "extra/big:0"),
                                  exp["values"]["extra/big"])
    reader = tf.compat.v1.train.NewCheckpointReader(prefix)
    assert reader.has_tensor("extra/flag") and not reader.has_tensor("extra")
    flag = reader.get_tensor("extra/flag")
    assert flag.dtype == np.bool_ and flag.tolist() == [True, False, True]
    assert reader.get_tensor("extra/scalar").shape == ()
    dtypes = reader.get_variable_to_dtype_map()
    assert dtypes["extra/double"] is tf.float64 and dtypes["extra/counts"] is tf.int32
    assert dtypes["global_step"] is tf.int64 and dtypes["extra/flag"] is tf.bool
    assert reader.get_variable_to_shape_map()["dense_1/kernel"] == [3, 2]
    with pytest.raises(tf.errors.NotFoundError, match="Key nope not found"):
        reader.get_tensor("nope")
    assert tf.train.checkpoint_exists(prefix)
    assert not tf.train.checkpoint_exists(prefix + "0")
    assert tf.train.load_checkpoint(model_dir).has_tensor("dense/kernel")


def test_partitioned_tf_variable_reads_as_one_tensor(ckpt_dir):
    exp = EXPECTED["partitioned"]
    values = ckpt_cases.partitioned_values()
    prefix = os.path.join(ckpt_dir, exp["prefix"])
    assert [list(p) for p in tf.train.list_variables(prefix)] == exp["list_variables"]
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "emb/weights"),
                                  values["emb/weights"])
    with tf.Graph().as_default():   # tfgraph has no partitioner: one variable of the full shape
        w = tf.get_variable("emb/weights", [7, 2])
        b = tf.get_variable("emb/bias", [2])
        big = tf.get_variable("emb/big", [150, 2], dtype=tf.float64)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(
                os.path.dirname(prefix)))
            np.testing.assert_array_equal(sess.run(w), values["emb/weights"])
            np.testing.assert_array_equal(sess.run(b), values["emb/bias"])
            np.testing.assert_array_equal(sess.run(big), values["emb/big"])
    assert tensor_bundle.slice_key("emb/big", [(75, 75), (0, -1)]) == \
        b"\x00emb/big\x00\x01\x01\x02\xc0\x4b\xc0\x4b\x80\x7f"
    assert tensor_bundle._signed_num_increasing(-65) == b"\x3f\xbf"
    assert tensor_bundle._signed_num_increasing(1 << 40) == b"\xfd" + bytes(5)


def test_sharded_tf_checkpoint_reads_from_both_data_files(ckpt_dir):
    exp = EXPECTED["sharded"]
    prefix = os.path.join(ckpt_dir, exp["prefix"])
    assert exp["data_files"] == ["sh.ckpt.data-00000-of-00002", "sh.ckpt.data-00001-of-00002"]
    values = ckpt_cases.model_values(3)
    with tf.Graph().as_default():
        vs = {n: tf.Variable(np.zeros_like(v), name=n) for n, v in values.items()}
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(os.path.dirname(prefix)))
            got = sess.run(vs)
    for name, value in values.items():
        assert got[name].dtype == value.dtype
        np.testing.assert_array_equal(got[name], value, name)
    os.remove(prefix + ".data-00001-of-00002")
    reader = tf.train.NewCheckpointReader(prefix)
    shards = {n: reader._impl.entries[n].shard_id for n in values}
    assert sorted(set(shards.values())) == [0, 1]
    for name, shard in shards.items():
        if shard == 0:
            reader.get_tensor(name)
        else:
            with pytest.raises(tf.errors.DataLossError, match="data-00001-of-00002.*missing"):
                reader.get_tensor(name)


def test_tf_string_tensors_read_and_written_byte_for_byte(tmp_path, ckpt_dir):
    exp = EXPECTED["strings"]
    prefix = os.path.join(ckpt_dir, exp["prefix"])
    values = ckpt_cases.string_values()
    reader = tf.train.NewCheckpointReader(prefix)
    assert {n: d.name for n, d in reader.get_variable_to_dtype_map().items()} == exp["dtypes"]
    for name, value in values.items():
        got = reader.get_tensor(name)
        assert got.dtype == object and got.shape == value.shape and got.tolist() == value.tolist()
    with tf.Graph().as_default():   # string variables restore and save like any other
        vs = {n: tf.Variable(np.full(v.shape, b"", object), name=n) for n, v in values.items()}
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            assert sess.run(vs["vocab/grid"]).tolist() == values["vocab/grid"].tolist()
            mine = saver.save(sess, str(tmp_path / "str.ckpt"), write_meta_graph=False)
    for suffix in (".index", ".data-00000-of-00001"):
        with open(prefix + suffix, "rb") as a, open(mine + suffix, "rb") as b:
            assert a.read() == b.read(), suffix


def test_tfgraph_writes_the_bytes_tensorflow_restored(tmp_path):
    # make_tf_checkpoints.py had TensorFlow restore this fixture (load_checkpoint, Saver.restore
    # and the prediction); tfgraph must still write exactly those bytes.
    assert EXPECTED["tfgraph_to_tf"]["load_checkpoint_values_equal"] is True
    assert EXPECTED["tfgraph_to_tf"]["saver_restore_values_equal"] is True
    assert EXPECTED["tfgraph_to_tf"]["prediction_max_abs_diff"] < 1e-5
    with tf.Graph().as_default():
        ckpt_cases.build_model(tf, ckpt_cases.model_values(1))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = tf.train.Saver(save_relative_paths=True).save(
                sess, str(tmp_path / "model.ckpt"), global_step=5, write_meta_graph=False)
    fixture = os.path.join(DATA, "tfgraph_written")
    for name in ["model.ckpt-5.index", "model.ckpt-5.data-00000-of-00001", "checkpoint"]:
        with open(os.path.join(fixture, name), "rb") as a, open(tmp_path / name, "rb") as b:
            assert a.read() == b.read(), name
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt-5.data-00000-of-00001",
                                            "model.ckpt-5.index"]   # no temp files left
    assert prefix == str(tmp_path / "model.ckpt-5")


@pytest.mark.parametrize("fixture", ["model/model.ckpt-7", "model/model.ckpt-4",
                                     "partitioned/emb.ckpt"])
def test_index_is_byte_identical_to_tensorflows(fixture):
    """Re-encoding the entries of TF's own index gives TF's file byte for byte (blocks, restart
    points, shortened index keys such as 'step' -> 't', checksums, footer)."""
    raw = open(os.path.join(DATA, fixture + ".index"), "rb").read()
    table = tensor_bundle.read_table(raw)
    assert tensor_bundle.build_table(sorted(table.items())) == raw


def test_index_keys_are_leveldb_separators():
    sep, succ = tensor_bundle._separator, tensor_bundle._successor
    assert sep(b"abc1xyz", b"abc5") == b"abc2"
    assert sep(b"abc", b"abd") == b"abc"          # c+1 is not below d: nothing shorter
    assert sep(b"ab", b"abc") == b"ab"            # a prefix of the limit
    assert sep(b"a\xff1", b"a\xff9") == b"a\xff2"
    assert succ(b"step") == b"t" and succ(b"\xff\xffa") == b"\xff\xffb"
    assert succ(b"\xff\xff") == b"\xff\xff"
    # 15000 entries (three 256 KB blocks): TF's SaveV2 and tfgraph wrote identical files
    many = EXPECTED["tfgraph_to_tf"]["many_tensors"]
    assert many["tfgraph_to_tf"]["files_identical_to_tf"] is True
    assert many["tf_to_tfgraph"] == {"count": 15000, "values_equal": True}


@pytest.mark.parametrize("case", sorted(EXPECTED["init_from_checkpoint"]))
def test_init_from_checkpoint_matches_tf(ckpt_dir, case):
    exp = EXPECTED["init_from_checkpoint"][case]
    variables, amap = ckpt_cases.INIT_CASES[case]
    ckpt = os.path.join(ckpt_dir, "model")
    with tf.Graph().as_default():
        got = ckpt_cases.run_init_case(tf, ckpt, variables, amap)
    if "error" in exp:
        assert got.get("error") == exp["error"], got
        want = exp["message"].replace("<CKPT>", ckpt).split(" {")[0]   # TF's dict order varies
        assert got["message"].split(" {")[0] == want
    else:
        assert set(got["values"]) == set(exp["values"])
        for name, value in exp["values"].items():
            np.testing.assert_array_equal(got["values"][name], np.float32(value), name)


def test_init_from_checkpoint_reads_at_initializer_run(tmp_path):
    prefix = str(tmp_path / "c")
    checkpoint_utils.write_tf_checkpoint(prefix, {"a/w": np.ones(3, np.float32)})
    with tf.Graph().as_default():
        with tf.variable_scope("b"):
            w = tf.get_variable("w", [3])
        tf.train.init_from_checkpoint(prefix, {"a/": "b/"})
        assert w.initial_value.op.type == "RestoreV2"
        checkpoint_utils.write_tf_checkpoint(prefix, {"a/w": np.full(3, 2, np.float32)})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(w), [2, 2, 2])
        with tf.variable_scope("i"):
            wi = tf.get_variable("w", [3], dtype=tf.int32)
        tf.train.init_from_checkpoint(prefix, {"a/w": wi})
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="dtype float32, expected int32"):
            sess.run(wi.initializer)


_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
           "uint32", "uint64", "bool"]


def test_round_trip_every_dtype_and_shape(tmp_path):
    rs = np.random.RandomState(3)
    tensors = {}
    for i, dt in enumerate(_DTYPES):
        shape = [(), (5,), (2, 3), (0, 4), (1, 1, 3)][i % 5]
        tensors["v/%02d_%s" % (i, dt)] = np.asarray(rs.randn(*shape) * 50).astype(dt)
    tensors["unicode/é名"] = np.arange(4, dtype=np.float32)
    prefix = str(tmp_path / "all")
    checkpoint_utils.write_tf_checkpoint(prefix, tensors)
    reader = tf.train.load_checkpoint(prefix)
    assert set(reader.get_variable_to_shape_map()) == set(tensors)
    dtypes = reader.get_variable_to_dtype_map()
    for name, value in tensors.items():
        got = reader.get_tensor(name)
        assert got.dtype == value.dtype and got.shape == value.shape, name
        assert np.dtype(getattr(dtypes[name], "np", dtypes[name])) == value.dtype, name
        np.testing.assert_array_equal(got, value)


def test_many_tensors_span_several_table_blocks(tmp_path):
    tensors = {"layer_%05d/kernel_with_a_long_name" % i: np.float32(i) for i in range(15000)}
    prefix = str(tmp_path / "many")
    checkpoint_utils.write_tf_checkpoint(prefix, tensors)
    raw = open(prefix + ".index", "rb").read()
    assert len(raw) > 2 * tensor_bundle.BLOCK_SIZE   # at least three data blocks
    reader = tf.train.load_checkpoint(prefix)
    assert len(reader.get_variable_to_shape_map()) == 15000
    assert reader.get_tensor("layer_04321/kernel_with_a_long_name") == 4321


def test_write_version(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver(write_version=tf.train.SaverDef.V2)   # TF1 tutorials' spelling
        with pytest.warns(UserWarning, match="V1 format"):
            tf.train.Saver(write_version=tf.train.SaverDef.V1)
        with tf.Session() as sess:
            sess.run(v.initializer)
            prefix = saver.save(sess, str(tmp_path / "v"))
    assert os.path.exists(prefix + ".data-00000-of-00001")


def test_old_tfgraph_format_still_restores(tmp_path):
    prefix = str(tmp_path / "old.ckpt")
    checkpoint_utils.write_checkpoint(prefix, {"W": np.arange(6, dtype=np.float32).reshape(2, 3)})
    assert open(prefix + ".index", "rb").read(8) == checkpoint_utils.MAGIC
    with tf.Graph().as_default():
        w = tf.Variable(np.zeros((2, 3), np.float32), name="W")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(2, 3))
    assert tf.train.list_variables(prefix) == [("W", [2, 3])]


@pytest.mark.parametrize("case", sorted(ckpt_cases.STATE_TEXTS))
def test_checkpoint_state_files_read_as_tf_reads_them(tmp_path, case):
    """Hand-written, CheckpointManager-style (timestamps) and broken `checkpoint` files: the
    same paths, None (a parse error is logged, as TF does) or ValueError as TensorFlow."""
    (tmp_path / "checkpoint").write_text(ckpt_cases.STATE_TEXTS[case])
    assert ckpt_cases.read_state(tf, str(tmp_path)) == \
        EXPECTED["state_files"]["read"][case]


@pytest.mark.parametrize("case", sorted(ckpt_cases.STATE_WRITES))
def test_checkpoint_state_files_written_as_tf_writes_them(tmp_path, case):
    model, paths, kwargs = ckpt_cases.STATE_WRITES[case]
    tf.train.update_checkpoint_state(str(tmp_path), model, list(paths), **kwargs)
    text = (tmp_path / "checkpoint").read_bytes().decode("utf-8")
    assert text == EXPECTED["state_files"]["written"][case]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == [p if os.path.isabs(p) else str(tmp_path / p)
                                                for p in paths]
    assert state.all_model_checkpoint_timestamps == kwargs.get(
        "all_model_checkpoint_timestamps", [])
    with pytest.raises(ValueError, match="must match checkpoint paths"):
        tf.train.update_checkpoint_state(str(tmp_path), "m", ["m"],
                                         all_model_checkpoint_timestamps=[1.0, 2.0])

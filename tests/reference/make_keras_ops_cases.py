"""Records keras.ops results (values, dtypes, shapes) for tests/tfgraph_keras/ops/test_ops_cases.py.

Run with Keras 3 on its TensorFlow backend (tfgraph never imports either):
    KERAS_BACKEND=tensorflow /root/venvs/tf/bin/python tests/reference/make_keras_ops_cases.py
Writes tests/data/keras_ops_cases.json: one record per call, with the arguments encoded as JSON
(arrays as {"array": values, "dtype": name}, tuples as {"tuple": [...]}) so that the test can
replay the same call without Keras.
"""
import json
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
from keras import ops

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "keras_ops_cases.json")

rng = np.random.RandomState(0)
F = rng.uniform(-2, 2, (2, 3)).astype(np.float32)          # float32 (2, 3)
F2 = rng.uniform(-2, 2, (2, 3)).astype(np.float32)
P = rng.uniform(0.2, 3, (2, 3)).astype(np.float32)         # positive float32
R = rng.uniform(-2, 2, (3,)).astype(np.float32)            # float32 row, broadcasts over F
C = rng.uniform(-2, 2, (2, 1)).astype(np.float32)          # column
D = rng.uniform(-2, 2, (2, 3)).astype(np.float64)          # float64
H = rng.uniform(-2, 2, (2, 3)).astype(np.float16)          # float16
I = rng.randint(-5, 6, (2, 3)).astype(np.int32)            # int32  # noqa: E741
IP = rng.randint(1, 6, (2, 3)).astype(np.int32)            # positive int32
L = rng.randint(-5, 6, (3,)).astype(np.int64)              # int64
U = rng.randint(0, 9, (2, 3)).astype(np.uint8)
I8 = rng.randint(-5, 6, (2, 3)).astype(np.int8)
B = rng.rand(2, 3) > 0.5
B2 = rng.rand(2, 3) > 0.5
T3 = rng.uniform(-2, 2, (2, 3, 4)).astype(np.float32)
M34 = rng.uniform(-2, 2, (3, 4)).astype(np.float32)
S4 = np.array([3.0, -1.0, 2.5, 0.5], np.float32)           # no ties (sort, argsort, top_k)
SQ = rng.uniform(-2, 2, (3, 3)).astype(np.float32)
IDX = np.array([2, 0, 1, 2], np.int32)
NANS = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
LOGITS = rng.uniform(-2, 2, (4, 5)).astype(np.float32)
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)
ONEHOT = np.eye(5, dtype=np.float32)[[1, 0, 4, 2]]
SPARSE = np.array([1, 0, 4, 2], np.int32)
BIN = (rng.rand(4, 5) > 0.5).astype(np.float32)
IMG = rng.uniform(-1, 1, (2, 6, 6, 3)).astype(np.float32)
KER = rng.uniform(-0.5, 0.5, (3, 3, 3, 4)).astype(np.float32)
DWK = rng.uniform(-0.5, 0.5, (3, 3, 3, 2)).astype(np.float32)
PWK = rng.uniform(-0.5, 0.5, (1, 1, 6, 4)).astype(np.float32)
TKER = rng.uniform(-0.5, 0.5, (3, 3, 4, 3)).astype(np.float32)  # conv_transpose: (h, w, out, in)
SEQ = rng.uniform(-1, 1, (2, 7, 3)).astype(np.float32)
KER1 = rng.uniform(-0.5, 0.5, (3, 3, 4)).astype(np.float32)


def case(op, *args, **kwargs):
    return (op, args, kwargs)


# Each entry: (op name, positional args, keyword args). Families mix dtypes, broadcasting and axes.
CASES = []
for name in ("add", "subtract", "multiply", "maximum", "minimum"):
    CASES += [case(name, F, F2), case(name, F, R), case(name, F, C), case(name, I, F),
              case(name, I, 2), case(name, F, 2), case(name, I, 2.5), case(name, H, 2.0),
              case(name, I, L), case(name, U, I8), case(name, D, F), case(name, 3, F)]
for name in ("divide", "true_divide"):
    CASES += [case(name, F, P), case(name, I, IP), case(name, I, 2), case(name, H, 2),
              case(name, F, R), case(name, U, IP)]
CASES += [case("floor_divide", F, P), case("floor_divide", I, IP), case("floor_divide", I, 2),
          case("mod", F, P), case("mod", I, IP), case("mod", I, 3),
          case("power", P, F), case("power", F, 2), case("power", IP, 2), case("power", P, 0.5),
          case("negative", F), case("negative", I)]
for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
    CASES += [case(name, F, F2), case(name, I, 0), case(name, F, R), case(name, I, F)]
for name in ("logical_and", "logical_or", "logical_xor"):
    CASES += [case(name, B, B2), case(name, F, B)]
CASES += [case("logical_not", B), case("logical_not", F)]
for name in ("square", "abs", "sign", "floor", "ceil", "round"):
    CASES += [case(name, F), case(name, I)]
CASES += [case("round", F, 1), case("abs", H), case("square", B)]
for name in ("sqrt", "exp", "log", "log1p"):
    CASES += [case(name, P), case(name, IP), case(name, H)]
CASES += [case("rsqrt", P), case("rsqrt", H), case("erf", F), case("erf", H)]
for name in ("sin", "cos", "tan", "tanh", "arctan", "sinh", "cosh", "expm1"):
    CASES += [case(name, F), case(name, I)]
CASES += [case("arcsin", F / 3), case("arccos", F / 3), case("arcsinh", F), case("arctanh", F / 3),
          case("arccosh", P + 1), case("arctan2", F, F2), case("log2", P), case("log10", P),
          case("exp2", F), case("reciprocal", P)]
for name in ("sum", "mean", "max", "min", "prod"):
    CASES += [case(name, F), case(name, F, axis=0), case(name, F, axis=-1, keepdims=True),
              case(name, T3, axis=(0, 2)), case(name, I), case(name, I, axis=1), case(name, B),
              case(name, H, axis=0)]
for name in ("std", "var"):
    CASES += [case(name, F), case(name, T3, axis=1), case(name, I, axis=0, keepdims=True)]
for name in ("any", "all"):
    CASES += [case(name, B), case(name, B, axis=0), case(name, F, axis=1, keepdims=True)]
CASES += [case("clip", F, -1, 1), case("clip", I, -2, 3), case("clip", F, -0.5, 1.5),
          case("where", B, F, F2), case("where", B, I, 1.5), case("where", B, F, 0),
          case("where", B, I, L)]
CASES += [case("matmul", F, M34), case("matmul", I, M34), case("matmul", T3, M34.T),
          case("matmul", R, M34), case("matmul", T3, np.swapaxes(T3, 1, 2)),
          case("dot", F, M34), case("dot", R, R), case("dot", F, R), case("dot", F, 2.0),
          case("einsum", "ij,jk->ik", F, M34), case("einsum", "bij->bji", T3),
          case("einsum", "ij,ij->i", F, F2), case("einsum", "i,j->ij", R, R),
          case("tensordot", T3, M34.T, axes=1), case("tensordot", F, F2, axes=([0, 1], [0, 1])),
          case("tensordot", F, M34, axes=[[1], [0]]),
          case("outer", R, R), case("outer", F, IDX)]
CASES += [case("concatenate", [F, F2]), case("concatenate", [F, I], axis=1),
          case("concatenate", [F, F2], axis=None), case("stack", [F, F2]),
          case("stack", [F, F2], axis=-1), case("split", T3, 2, axis=2),
          case("split", T3, [1, 3], axis=2), case("reshape", T3, (4, -1)),
          case("reshape", F, (-1,)), case("transpose", T3), case("transpose", T3, (1, 0, 2)),
          case("expand_dims", F, 0), case("expand_dims", F, -1), case("expand_dims", F, (0, 3)),
          case("squeeze", C), case("squeeze", np.ones((1, 3, 1), np.float32), axis=0),
          case("tile", F, 2), case("tile", F, (2, 1)), case("tile", R, (2, 2)),
          case("repeat", F, 2), case("repeat", F, 2, axis=0), case("repeat", F, [1, 2, 0], axis=1),
          case("take", F, IDX[:2]), case("take", M34, IDX, axis=1), case("take", M34, -1, axis=0),
          case("take", R, np.array([[0, 2], [1, -1]], np.int32)),
          case("take_along_axis", F, np.array([[2, 0, 1], [1, 1, 0]], np.int32), axis=1),
          case("take_along_axis", F, np.array([[1, 0, 1]], np.int32), axis=0),
          case("flip", F), case("flip", T3, axis=1), case("roll", F, 1),
          case("roll", F, -1, axis=1), case("roll", T3, 2, axis=2),
          case("pad", F, ((1, 0), (0, 2))), case("pad", F, ((1, 1), (1, 1)), constant_values=2.0),
          case("pad", F, ((1, 1), (1, 1)), mode="reflect"),
          case("pad", F, ((0, 0), (2, 1)), mode="symmetric"),
          case("triu", SQ), case("triu", SQ, 1), case("tril", SQ), case("tril", F, -1),
          case("diag", R), case("diag", SQ), case("diag", R, 1), case("diag", SQ, -1),
          case("trace", SQ), case("trace", T3, axis1=1, axis2=2), case("trace", I),
          case("broadcast_to", R, (2, 3)), case("broadcast_to", C, (2, 2, 3)),
          case("meshgrid", R, S4), case("meshgrid", R, S4, indexing="ij")]
CASES += [case("arange", 5), case("arange", 1, 7, 2), case("arange", 0.5, 3.0),
          case("arange", 5, dtype="float32"), case("arange", 0, 1, 0.25),
          case("linspace", 0, 1, 5), case("linspace", 0.0, 2.0, 4, endpoint=False),
          case("linspace", 1, 10, 4, dtype="int32"),
          case("zeros", (2, 3)), case("zeros", 3, dtype="int32"), case("ones", (2, 2)),
          case("ones", (2,), dtype="bool"), case("full", (2, 2), 7), case("full", (2,), 1.5),
          case("full", (2, 3), 4, dtype="float32"), case("zeros_like", I), case("ones_like", F),
          case("ones_like", I, dtype="float32"), case("full_like", F, 3),
          case("full_like", I, 2.5), case("eye", 3), case("eye", 2, 3), case("eye", 3, k=1),
          case("eye", 3, dtype="int32"), case("identity", 3)]
CASES += [case("cumsum", F), case("cumsum", F, axis=1), case("cumsum", I, axis=0),
          case("cumsum", B, axis=1), case("cumprod", F, axis=1), case("cumprod", I, axis=0),
          case("cumprod", F),
          case("argmax", F), case("argmax", F, axis=1), case("argmax", I, axis=0),
          case("argmax", F, axis=1, keepdims=True), case("argmin", F), case("argmin", F, axis=0),
          case("sort", S4), case("sort", F, axis=0), case("sort", F), case("sort", I, axis=1),
          case("argsort", S4), case("argsort", F, axis=0), case("argsort", F2)]
CASES += [case("cast", F, "int32"), case("cast", I, "float16"), case("cast", B, "float32"),
          case("cast", F, "bool"), case("shape", T3), case("convert_to_tensor", [1, 2]),
          case("convert_to_tensor", [1.5, 2.0]), case("convert_to_tensor", F, "float64"),
          case("convert_to_tensor", 3), case("convert_to_tensor", True),
          case("stop_gradient", F), case("isnan", NANS), case("isinf", NANS),
          case("isfinite", NANS), case("isfinite", I),
          case("norm", F), case("norm", F, axis=1), case("norm", F, ord=1, axis=0),
          case("norm", F, ord="fro"), case("norm", R, ord=np.inf), case("norm", F, axis=1,
                                                                          keepdims=True),
          case("logsumexp", F), case("logsumexp", F, axis=1), case("logsumexp", F, axis=0,
                                                                   keepdims=True),
          case("segment_sum", M34, np.array([0, 0, 1], np.int32)),
          case("segment_sum", M34, np.array([0, 2, 2], np.int32), num_segments=4),
          case("top_k", S4, 2), case("top_k", F, 2), case("top_k", F, 3, sorted=True),
          case("in_top_k", SPARSE, LOGITS, 2), case("in_top_k", SPARSE, LOGITS, 1),
          case("one_hot", SPARSE, 5), case("one_hot", SPARSE, 5, axis=0),
          case("one_hot", SPARSE, 6, dtype="int32"),
          case("scatter", np.array([[0, 1], [1, 2]], np.int32), np.array([5.0, 6.0], np.float32),
               (2, 3)),
          case("scatter", np.array([[1], [0], [1]], np.int32), M34, (2, 4)),
          case("scatter_update", F, np.array([[0, 1], [1, 2]], np.int32),
               np.array([5.0, 6.0], np.float32)),
          case("slice", T3, (0, 1, 1), (2, 2, 2)), case("slice", F, (1, 0), (1, 3)),
          case("slice_update", T3, (0, 1, 1), np.zeros((1, 2, 3), np.float32)),
          case("slice_update", F, (1, 0), np.ones((1, 3), np.float32)),
          case("nonzero", np.array([[0, 1, 0], [2, 0, 3]], np.int32)),
          case("unique", np.array([3, 1, 3, 2, 1], np.int32))]
CASES += [case("ravel", T3), case("copy", I), case("size", T3), case("ndim", T3),
          case("swapaxes", T3, 0, 2), case("moveaxis", T3, 0, -1),
          case("moveaxis", T3, (0, 1), (2, 0)), case("hstack", [F, I]), case("hstack", [R, R]),
          case("vstack", [F, F2]), case("append", F, R), case("append", F, F2, axis=0),
          case("diff", F), case("diff", T3, 2, axis=2), case("diff", B, axis=0),
          case("average", F), case("average", F, axis=1, weights=R),
          case("average", I, axis=0), case("average", F, axis=0, weights=P),
          case("count_nonzero", I), case("count_nonzero", I, axis=1),
          case("ptp", F), case("ptp", I, axis=0), case("isclose", F, F + 1e-6),
          case("isclose", I, IP), case("isclose", NANS, NANS, equal_nan=True),
          case("nan_to_num", NANS), case("nan_to_num", NANS, nan=1.0, posinf=9.0, neginf=-9.0),
          case("logaddexp", F, F2), case("logaddexp", I, IP)]
SORTED = np.array([-1.0, 0.0, 0.5, 2.0, 3.0], np.float32)
CASES += [case("unstack", T3), case("unstack", T3, axis=2), case("empty", (2, 3)),
          case("tri", 3), case("tri", 3, 4, k=-1, dtype="int32"),
          case("trunc", F * 2), case("trunc", I), case("signbit", np.array([-1.0, -0.0, 0.0, 2.0],
                                                                          np.float32)),
          case("signbit", I), case("cbrt", F), case("cbrt", I), case("cbrt", L),
          case("deg2rad", F), case("deg2rad", I), case("rad2deg", F), case("rad2deg", L),
          case("hypot", F, F2), case("hypot", I, IP), case("heaviside", F, 0.5),
          case("heaviside", np.array([-1.0, 0.0, 2.0], np.float32), F2[0]),
          case("logspace", 0, 2, 3), case("logspace", 0.0, 1.0, 4, base=2),
          case("vdot", F, F2), case("vdot", I, IP), case("inner", R, R), case("inner", F, M34.T),
          case("bincount", np.array([1, 1, 3, 0], np.int32)),
          case("bincount", np.array([1, 1, 3], np.int32), minlength=6),
          case("bincount", np.array([1, 2, 2], np.int32), weights=np.array([0.5, 1.0, 2.0],
                                                                         np.float32)),
          case("bincount", np.array([[0, 1, 1], [2, 2, 0]], np.int32)),
          case("searchsorted", SORTED, np.array([0.0, 1.0, 3.0, -2.0], np.float32)),
          case("searchsorted", SORTED, np.array([0.0, 2.0], np.float32), side="right"),
          case("digitize", F, [-1.0, 0.0, 1.0]), case("digitize", I, [-2, 0, 3]),
          case("median", T3), case("median", T3, axis=1), case("median", I, axis=0),
          case("quantile", T3, 0.3, axis=2), case("quantile", F, [0.25, 0.75], axis=1),
          case("quantile", T3, 0.6, axis=(0, 2), keepdims=True),
          case("quantile", F, 0.4, method="nearest"), case("quantile", F, 0.4, method="lower"),
          case("quantile", F, 0.4, method="higher"), case("quantile", F, 0.4, method="midpoint"),
          case("percentile", T3, 40, axis=1),
          case("select", [F > 0.5, F < -0.5], [F, -F]),
          case("select", [B, ~B], [I, IP], default=7),
          # k=2 on a square plane: Keras 3.15's TF backend mis-reshapes a non-square one
          case("rot90", F), case("rot90", np.stack([SQ, SQ.T]), 2, axes=(1, 2)),
          case("rot90", T3, 3),
          case("rot90", SQ, -1),
          case("segment_max", M34, np.array([0, 0, 1], np.int32)),
          case("segment_max", M34, np.array([2, 0, 2], np.int32), num_segments=3)]
QKV = rng.uniform(-1, 1, (3, 2, 4, 3, 8)).astype(np.float32)     # (q|k|v, B, T, N, H)
Q4 = rng.uniform(-1, 1, (2, 4, 4, 8)).astype(np.float32)          # 4 query heads
KV2 = rng.uniform(-1, 1, (2, 2, 5, 2, 8)).astype(np.float32)      # 2 kv heads (grouped), length 5
AMASK = rng.rand(2, 3, 4, 4) > 0.3
# nn
CASES += [case("layer_normalization", T3), case("layer_normalization", T3, R[:1].repeat(4),
                                                R[1:2].repeat(4), epsilon=0.01),
          case("layer_normalization", T3, axis=(1, 2)), case("layer_normalization", H),
          case("rms_normalization", T3), case("rms_normalization", T3, R[:1].repeat(4), axis=-1,
                                                epsilon=0.1),
          case("dot_product_attention", QKV[0], QKV[1], QKV[2]),
          case("dot_product_attention", QKV[0], QKV[1], QKV[2], is_causal=True),
          case("dot_product_attention", QKV[0], QKV[1], QKV[2], mask=AMASK, scale=0.5),
          case("dot_product_attention", QKV[0], QKV[1], QKV[2],
               bias=rng.uniform(-1, 1, (1, 3, 4, 4)).astype(np.float32)),
          case("dot_product_attention", Q4, KV2[0], KV2[1])]
for name in ("relu", "relu6", "sigmoid", "hard_sigmoid", "softplus", "softsign", "silu", "swish",
             "gelu", "elu", "selu", "leaky_relu", "log_sigmoid", "hard_silu", "tanh"):
    CASES += [case(name, F * 3)]
CASES += [case("gelu", F * 3, approximate=False), case("leaky_relu", F, negative_slope=0.3),
          case("elu", F, alpha=0.5), case("relu", I),
          case("softmax", LOGITS), case("softmax", LOGITS, axis=0),
          case("softmax", T3, axis=(1, 2)),
          case("log_softmax", LOGITS), case("log_softmax", LOGITS, axis=0),
          case("normalize", LOGITS), case("normalize", LOGITS, axis=0),
          case("normalize", LOGITS, order=1),
          case("moments", T3, axes=(0, 1)), case("moments", T3, axes=[2], keepdims=True),
          case("batch_normalization", F, R, P[0], -1, offset=R, scale=P[1], epsilon=1e-3),
          case("batch_normalization", F, C[:, 0], P[:, 0], 0, epsilon=0.1),
          case("multi_hot", np.array([[1, 3], [0, 0]], np.int32), 5),
          case("categorical_crossentropy", ONEHOT, PROBS),
          case("categorical_crossentropy", ONEHOT, LOGITS, from_logits=True),
          case("sparse_categorical_crossentropy", SPARSE, PROBS),
          case("sparse_categorical_crossentropy", SPARSE, LOGITS, from_logits=True),
          case("binary_crossentropy", BIN, PROBS),
          case("binary_crossentropy", BIN, LOGITS, from_logits=True),
          case("conv", IMG, KER), case("conv", IMG, KER, strides=2, padding="same"),
          case("conv", IMG, KER, padding="same", dilation_rate=2),
          case("conv", SEQ, KER1), case("conv", SEQ, KER1, strides=2, padding="same"),
          case("depthwise_conv", IMG, DWK), case("depthwise_conv", IMG, DWK, strides=2,
                                                 padding="same"),
          case("separable_conv", IMG, DWK, PWK), case("separable_conv", IMG, DWK, PWK,
                                                      padding="same"),
          case("conv_transpose", IMG, TKER, strides=2),
          case("conv_transpose", IMG, TKER, strides=2, padding="same"),
          case("conv_transpose", IMG, TKER, strides=1, padding="valid"),
          case("max_pool", IMG, 2), case("max_pool", IMG, 3, strides=2, padding="same"),
          case("average_pool", IMG, 2), case("average_pool", IMG, (3, 2), strides=1),
          case("max_pool", SEQ, 2), case("average_pool", SEQ, 3, strides=2, padding="same")]


def encode(v):
    if isinstance(v, np.ndarray) or hasattr(v, "numpy") or type(v).__module__.startswith("keras"):
        arr = np.asarray(ops.convert_to_numpy(v)) if not isinstance(v, np.ndarray) else v
        vals = arr.tolist()
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            vals = arr.astype(str).tolist()  # "nan", "inf": JSON has no literal for them
        return {"array": vals, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    if isinstance(v, np.generic):
        return encode(np.asarray(v))
    if isinstance(v, tuple):
        return {"tuple": [encode(x) for x in v]}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        return {"dict": {k: encode(x) for k, x in v.items()}}
    if isinstance(v, float) and not np.isfinite(v):
        return {"float": repr(v)}
    return v


def main():
    keras.utils.set_random_seed(0)
    records = []
    for op, args, kwargs in CASES:
        fn = getattr(ops, op)
        rec = {"op": op, "args": encode(args), "kwargs": encode(kwargs)}
        try:
            rec["result"] = encode(fn(*args, **kwargs))
        except Exception as e:  # recorded: tfgraph_keras must refuse the same call
            rec["error"] = type(e).__name__
        records.append(rec)
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
             "float64", "int", "float"]
    promotions = []
    for a in names:
        for b in names:
            args = [{"int": int, "float": float}.get(n, n) for n in (a, b)]
            promotions.append([a, b, keras.backend.result_type(*args)])
    with open(OUT, "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(),
                   "cases": records, "result_type": promotions}, f, indent=0)
    print("wrote %d cases (%d errors) to %s" % (
        len(records), sum("error" in r for r in records), OUT))


if __name__ == "__main__":
    main()

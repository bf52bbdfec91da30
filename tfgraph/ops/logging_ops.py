"""Run-time checks and printing: tf.Assert, tf.Print, tf.print (StringFormat + PrintV2).

Their messages format tensors as TF's kernels do (Tensor::SummarizeValue): `summarize` elements at
most, TF's own number formatting (the shortest of 6/9 significant digits for float32, 15/17 for
float64; bools as 1/0). tf.Print and tf.Assert use TF1's style, `[[1 2][3...]...]`; tf.print uses
TF2's numpy-like style, `[[0 1 ... 3 4]\\n [5 6 ... 8 9]]`. These ops are stateful: the execution
plan never folds them into constants or merges two of them (tfgraph/runtime/rewrites.py).
"""
import pprint
import sys

import numpy as np

from tfgraph.framework import dtypes, errors, nest
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor, is_tensor_like, require
from tfgraph.framework.tensor import Tensor


# -- TF's tensor summaries -------------------------------------------------------------------------
def _float_str(v, np_dtype):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    short, full = (15, 17) if np_dtype == np.float64 else (6, 9)
    s = "%.*g" % (short, v)
    return s if np_dtype(float(s)) == v else "%.*g" % (full, v)


def _c_escape(s):
    out = []
    for ch in s:
        code = ord(ch)
        if ch in "\n\r\t\"'\\":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, "\\" + ch))
        elif code < 32 or code == 127:
            out.append("\\%03o" % code)
        else:
            out.append(ch)
    return "".join(out)


def _element(v, np_dtype, v2):
    if np_dtype.kind == "f":
        return _float_str(v, np_dtype.type)
    if np_dtype.kind == "b":
        return "1" if v else "0"
    if np_dtype.kind == "O" or np_dtype.kind in "SU":
        s = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
        return '"%s"' % _c_escape(s) if v2 else s
    return str(int(v))


def summarize_value(value, max_entries=3, v2=False):
    """Tensor::SummarizeValue: the text TF's Print/Assert (v2=False) or tf.print (v2=True)
    kernels write for one tensor; at most `max_entries` elements (all when negative)."""
    a = np.asarray(value)
    n = a.size
    limit = n if max_entries is None or max_entries < 0 else min(max_entries, n)
    flat = a.reshape(-1)
    elems = [_element(flat[i], a.dtype, v2) for i in range(limit)]
    if a.ndim == 0:
        return " ".join(elems) + ("..." if n > limit else "")
    if v2:
        return _dims_v2(a, limit, v2)
    out, pos = [], [0]
    _dims_v1(0, a.shape, limit, elems, pos, out)
    return "".join(out) + ("..." if n > limit else "")


def _dims_v1(d, shape, limit, elems, pos, out):
    if pos[0] >= limit:
        return
    if d == len(shape) - 1:
        for i in range(shape[d]):
            if pos[0] >= limit:
                if d != 0:
                    out.append("...")
                return
            if i:
                out.append(" ")
            out.append(elems[pos[0]])
            pos[0] += 1
        return
    for _ in range(shape[d]):
        opened = pos[0] < limit
        if opened:
            out.append("[")
        _dims_v1(d + 1, shape, limit, elems, pos, out)
        if pos[0] < limit or opened:
            out.append("]")


def _dims_v2(a, ends, v2, nd=None):
    """PrintOneDimV2: the first and last `ends` entries of each dimension, numpy's spacing
    (`nd`: the whole tensor's rank; `a` is one of its sub-arrays)."""
    if a.ndim == 0:
        return _element(a[()], a.dtype, v2)
    nd = a.ndim if nd is None else nd
    d = nd - a.ndim
    sep = " " if a.ndim == 1 else "\n" * (a.ndim - 1) + " " * (d + 1)
    n = a.shape[0]
    parts = [_dims_v2(a[i, ...], ends, v2, nd) for i in range(min(ends, n))]
    if n > 2 * ends:
        parts.append("...")
    parts += [_dims_v2(a[i, ...], ends, v2, nd) for i in range(max(ends, n - ends), n)]
    return "[" + sep.join(parts) + "]"


# -- Assert --------------------------------------------------------------------------------------
class AssertOp(OpDef):
    """Raises InvalidArgumentError 'assertion failed: [data 0] [data 1] ...' when the (scalar
    bool) condition is false at run time."""
    type = "Assert"
    attrs = {"summarize": 3}
    stateful = True

    def infer(self, condition, *data, summarize):
        require(condition.dtype is dtypes.bool,
                "condition must be bool, got %s" % condition.dtype.name)
        require(condition.shape.ndims in (None, 0),
                "condition must be a scalar, got shape %s" % condition.shape)
        return []

    def compute(self, condition, *data, summarize):
        if not np.asarray(condition).reshape(-1).all():
            raise AssertionError(assert_message(data, summarize))

    def make_kernel(self, op, rt):
        def kernel(condition, *data):
            if np.shape(condition) != ():
                raise errors.InvalidArgumentError(
                    None, op, "In[0] expects a scalar, got shape %s" % list(np.shape(condition)))
            if not condition:
                raise errors.InvalidArgumentError(None, op, assert_message(
                    data, op.attrs["summarize"]))
        return kernel


def assert_message(data, n):
    return "assertion failed: " + " ".join("[%s]" % summarize_value(d, n) for d in data)


def Assert(condition, data, summarize=None, name=None):  # noqa: F811,N802 - TF's name
    """tf.Assert: an op that fails with InvalidArgumentError, printing `data`, when `condition`
    (a scalar bool) is false at run time. Returns the op (run it or depend on it)."""
    graph = get_default_graph()
    with graph.name_scope(name or "Assert"):
        cond = convert_to_tensor(condition, dtype=dtypes.bool, name="Condition") \
            if not isinstance(condition, Tensor) else condition
        tensors = [convert_to_tensor(d) for d in data]
        return AssertOp.create_op([cond] + tensors, name="Assert",
                                   summarize=3 if summarize is None else int(summarize))


# -- Print (TF1) ---------------------------------------------------------------------------------
class PrintOp(OpDef):
    """tf.Print: passes `input` through and writes `message` and the `data` summaries to stderr."""
    type = "Print"
    attrs = {"message": "", "first_n": -1, "summarize": 3}
    stateful = True
    view_of_input = 0

    def infer(self, x, *data, message, first_n, summarize):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, *data, message, first_n, summarize):
        _write(sys.stderr, message + "".join("[%s]" % summarize_value(d, summarize) for d in data)
               + "\n")
        return x

    def make_kernel(self, op, rt):
        count = rt.op_state(op, lambda: [0])
        first_n, compute = op.attrs["first_n"], self.compute

        def kernel(x, *data):
            if first_n >= 0:
                if count[0] >= first_n:
                    return x
                count[0] += 1
            return compute(x, *data, **op.attrs)
        return kernel

    def grad(self, op, dy):
        return [dy] + [None] * (len(op.inputs) - 1)


def _write(stream, text):
    stream = {"stderr": sys.stderr, "stdout": sys.stdout}.get(stream, stream) \
        if isinstance(stream, str) else stream
    stream.write(text)
    stream.flush()


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """tf.Print (TF1): an identity of `input_` that writes `message` followed by each of `data`
    (`summarize` elements, default 3) to stderr each time it runs (the first `first_n` times)."""
    tensors = [convert_to_tensor(d) for d in data]
    return PrintOp.apply(input_, *tensors, name=name, message=message or "",
                         first_n=-1 if first_n is None else int(first_n),
                         summarize=3 if summarize is None else int(summarize))


# -- tf.print (TF2's print_v2) -------------------------------------------------------------------
class StringFormat(OpDef):
    """A scalar string: `template` with each `placeholder` replaced by one input's summary."""
    type = "StringFormat"
    attrs = {"template": "%s", "placeholder": "%s", "summarize": 3}

    def infer(self, *inputs, template, placeholder, summarize):
        n = template.count(placeholder)
        require(n == len(inputs), "num placeholders in template and num inputs must match: "
                "%d vs. %d" % (n, len(inputs)))
        return [TensorSpec([], dtypes.string)]

    def compute(self, *inputs, template, placeholder, summarize):
        pieces = template.split(placeholder)
        out = [pieces[0]]
        for value, piece in zip(inputs, pieces[1:]):
            out += [summarize_value(value, summarize, v2=True), piece]
        return np.array("".join(out), dtype=object)


class PrintV2(OpDef):
    """Writes a scalar string and `end` to `output_stream` (stderr, stdout, file://path, or a
    logging function)."""
    type = "PrintV2"
    attrs = {"output_stream": "stderr", "end": "\n"}
    stateful = True

    def infer(self, x, output_stream, end):
        require(x.dtype is dtypes.string and x.shape.ndims in (None, 0),
                "input must be a scalar string, got %s %s" % (x.dtype.name, x.shape))
        return []

    def compute(self, x, output_stream, end):
        text = x[()] if isinstance(x, np.ndarray) else x
        text = text.decode() if isinstance(text, bytes) else str(text)
        if callable(output_stream):
            output_stream(text)
        elif isinstance(output_stream, str) and output_stream.startswith("file://"):
            with open(output_stream[len("file://"):], "a") as f:
                f.write(text + end)
        else:
            _write(output_stream, text + end)


def _placeholder_for(template):
    p = "{}"
    while p in template:
        p = "{" + p + "}"
    return p


def print_v2(*inputs, **kwargs):
    """tf.print: prints `inputs` (tensors and Python values, nested freely) when the returned op
    runs. Keyword arguments: output_stream=sys.stderr, summarize=3 (-1: all), sep=" ", end="\\n",
    name=None. In graph mode, run the op or make it a control dependency."""
    output_stream = kwargs.pop("output_stream", sys.stderr)
    summarize = kwargs.pop("summarize", 3)
    sep, end = kwargs.pop("sep", " "), kwargs.pop("end", "\n")
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError("Unrecognized keyword arguments for tf.print: %s" % sorted(kwargs))
    stream = _stream_name(output_stream)
    graph = get_default_graph()
    with graph.name_scope(name or "PrintV2") as scope:
        if len(inputs) == 1 and is_tensor_like(inputs[0]) and \
                convert_to_tensor(inputs[0]).dtype is dtypes.string and \
                convert_to_tensor(inputs[0]).shape.ndims == 0:
            text = convert_to_tensor(inputs[0])
        else:
            free = nest.map_structure(lambda x: "" if is_tensor_like(x) else x, list(inputs))
            placeholder = _placeholder_for(" ".join(pprint.pformat(x) for x in free))
            tensors, templates = [], []
            for item in inputs:
                parts = []
                for leaf in nest.flatten(item):
                    if is_tensor_like(leaf):
                        tensors.append(convert_to_tensor(leaf))
                        parts.append(placeholder)
                    else:
                        parts.append(leaf)
                if isinstance(item, str):
                    templates.append(item)
                else:
                    templates.append(pprint.pformat(nest.pack_sequence_as(item, parts)))
            template = sep.join(templates).replace("'%s'" % placeholder, placeholder)
            text = StringFormat.apply(*tensors, template=template, placeholder=placeholder,
                                      summarize=3 if summarize is None else int(summarize),
                                      name="StringFormat")
        return PrintV2.create_op([text], name=scope, output_stream=stream, end=end)


def _stream_name(stream):
    if stream is sys.stderr:
        return "stderr"
    if stream is sys.stdout:
        return "stdout"
    if isinstance(stream, str) and (stream in ("stderr", "stdout") or stream.startswith("file://")):
        return stream
    if callable(stream):   # tf.compat.v1.logging.info and friends
        return stream
    raise ValueError("Unsupported output stream, logging level, or file: %r. Supported streams "
                     "are sys.stdout, sys.stderr, logging functions and 'file://' paths." % stream)


__all__ = ["Assert", "Print", "print_v2"]

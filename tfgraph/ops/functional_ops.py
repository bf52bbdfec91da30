"""tf.scan, tf.map_fn, tf.foldl, tf.foldr: loops over the first dimension, built on while_loop.

Each unstacks its (nested) elems into TensorArrays read inside one while_loop; scan and map_fn
write every step's (nested) result into TensorArrays that are stacked after the loop. Gradients
come from the while loop's and the TensorArrays' own gradients.
"""
from tfgraph.framework import dtypes, nest
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.ops import array_ops
from tfgraph.ops.tensor_array_ops import TensorArray
from tfgraph.ops.while_ops import while_loop


def _prepare(elems, what):
    flat = [convert_to_tensor(e, name="elem") for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("%s: elems must be a Tensor or a (possibly nested) sequence of Tensors, "
                         "got %r" % (what, elems))
    for e in flat:
        if e.shape.ndims == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars "
                             "(%s: %s)" % (what, e.name))
    static_n = flat[0].shape.as_tuple()[0] if flat[0].shape.ndims is not None else None
    n = static_n if static_n is not None else array_ops.shape(flat[0])[0]
    tas = [TensorArray(e.dtype, size=n, dynamic_size=False, infer_shape=True,
                       element_shape=e.shape[1:] if e.shape.ndims else None).unstack(e)
           for e in flat]
    return flat, tas, n, static_n


def _stack(accs, static_n):
    out = []
    for acc in accs:
        s = acc.stack()
        if static_n is not None and s.shape.ndims is not None:
            s.set_shape([static_n] + [None] * (s.shape.ndims - 1))
        out.append(s)
    return out


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """tf.scan: the running results of `fn(accumulated, element)` over elems' first dimension.

    Without an initializer the first element (the last with reverse=True) starts the scan and is
    the first result; the result then has elems' structure, else the initializer's.
    """
    if not callable(fn):
        raise TypeError("fn must be callable.")
    graph = get_default_graph()
    with graph.name_scope(name or "scan"):
        _, tas, n, static_n = _prepare(elems, "scan")
        n_t = convert_to_tensor(n, dtype=dtypes.int32)
        if initializer is None:
            structure = elems
            first = n_t - 1 if reverse else 0
            a_flat = [ta.read(first) for ta in tas]
            start = n_t - 2 if reverse else 1
        else:
            structure = initializer
            a_flat = [convert_to_tensor(a) for a in nest.flatten(initializer)]
            start = n_t - 1 if reverse else 0
        accs = [TensorArray(a.dtype, size=n, dynamic_size=False, infer_shape=infer_shape,
                            element_shape=a.shape) for a in a_flat]
        if initializer is None:
            accs = [acc.write(first, a) for acc, a in zip(accs, a_flat)]

        def body(i, a, accs):
            x = nest.pack_sequence_as(elems, [ta.read(i) for ta in tas])
            out = fn(nest.pack_sequence_as(structure, a), x)
            nest.assert_same_structure(structure, out, check_types=False)
            out_flat = [convert_to_tensor(o) for o in nest.flatten(out)]
            accs = [acc.write(i, o) for acc, o in zip(accs, out_flat)]
            return (i - 1 if reverse else i + 1), out_flat, accs

        def cond(i, a, accs):
            return i >= 0 if reverse else i < n_t

        _, _, accs = while_loop(cond, body, [convert_to_tensor(start), a_flat, accs],
                                parallel_iterations=parallel_iterations, back_prop=back_prop,
                                swap_memory=swap_memory)
        return nest.pack_sequence_as(structure, _stack(accs, static_n))


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None):
    """tf.map_fn: `fn` applied to each element of elems along the first dimension, stacked.

    `dtype` (TF1) gives the dtype structure of fn's result when it differs from elems'.
    """
    if not callable(fn):
        raise TypeError("fn must be callable.")
    graph = get_default_graph()
    with graph.name_scope(name or "map"):
        flat, tas, n, static_n = _prepare(elems, "map_fn")
        n_t = convert_to_tensor(n, dtype=dtypes.int32)
        out_structure = elems if dtype is None else dtype
        out_dtypes = [dtypes.as_dtype(d) for d in nest.flatten(dtype)] if dtype is not None \
            else [e.dtype for e in flat]
        accs = [TensorArray(d, size=n, dynamic_size=False, infer_shape=infer_shape)
                for d in out_dtypes]

        def body(i, accs):
            out = fn(nest.pack_sequence_as(elems, [ta.read(i) for ta in tas]))
            try:
                nest.assert_same_structure(out_structure, out, check_types=False)
            except (ValueError, TypeError) as e:
                raise ValueError("The structure of the output of map_fn's fn does not match the "
                                 "structure of elems (or `dtype`): %s" % e) from None
            out_flat = [convert_to_tensor(o) for o in nest.flatten(out)]
            for o, d in zip(out_flat, out_dtypes):
                if o.dtype is not d:
                    raise TypeError("map_fn's fn returned %s where dtype %s was expected; pass "
                                    "`dtype` to map_fn when fn changes the dtype"
                                    % (o.dtype.name, d.name))
            return i + 1, [acc.write(i, o) for acc, o in zip(accs, out_flat)]

        _, accs = while_loop(lambda i, accs: i < n_t, body, [convert_to_tensor(0), accs],
                             parallel_iterations=parallel_iterations or 10,
                             back_prop=back_prop, swap_memory=swap_memory)
        return nest.pack_sequence_as(out_structure, _stack(accs, static_n))


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, reverse):
    if not callable(fn):
        raise TypeError("fn must be callable.")
    graph = get_default_graph()
    with graph.name_scope(name):
        _, tas, n, _ = _prepare(elems, name)
        n_t = convert_to_tensor(n, dtype=dtypes.int32)
        if initializer is None:
            structure = elems
            a_flat = [ta.read(n_t - 1 if reverse else 0) for ta in tas]
            start = n_t - 2 if reverse else 1
        else:
            structure = initializer
            a_flat = [convert_to_tensor(a) for a in nest.flatten(initializer)]
            start = n_t - 1 if reverse else 0

        def body(i, a):
            x = nest.pack_sequence_as(elems, [ta.read(i) for ta in tas])
            out = fn(nest.pack_sequence_as(structure, a), x)
            return (i - 1 if reverse else i + 1), [convert_to_tensor(o)
                                                   for o in nest.flatten(out)]

        _, a = while_loop(lambda i, a: i >= 0 if reverse else i < n_t, body,
                          [convert_to_tensor(start), a_flat],
                          parallel_iterations=parallel_iterations, back_prop=back_prop,
                          swap_memory=swap_memory)
        return nest.pack_sequence_as(structure, a)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """tf.foldl: `fn(accumulated, element)` folded over elems from the first element on."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory,
                 name or "foldl", False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """tf.foldr: `fn(accumulated, element)` folded over elems from the last element back."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory,
                 name or "foldr", True)


__all__ = ["scan", "map_fn", "foldl", "foldr"]

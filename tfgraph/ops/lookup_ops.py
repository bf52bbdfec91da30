"""Key -> value lookup tables (tf.lookup.StaticHashTable with a KeyValueTensorInitializer).

The table is a Python object the lookup op holds as an attribute and reads when it runs, so a
Keras lookup layer can replace its vocabulary (`set_vocabulary`, `adapt`) after its graph is
built, as its TF table would be re-initialized. The op is stateful: never constant-folded.
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, require
from tfgraph.ops.string_ops import as_bytes


class StaticHashTable:
    """tf.lookup.StaticHashTable(KeyValueTensorInitializer(keys, values), default_value) from
    numpy/list keys and values; `lookup(keys)` builds the lookup op."""

    def __init__(self, keys, values, key_dtype, value_dtype, default_value):
        self.key_dtype = dtypes.as_dtype(key_dtype)
        self.value_dtype = dtypes.as_dtype(value_dtype)
        self.default_value = default_value
        self.set(keys, values)

    def _key(self, k):
        if self.key_dtype is dtypes.string:
            return as_bytes(k)
        return float(k) if self.key_dtype.is_floating else int(k)

    def set(self, keys, values):
        """Replaces the table's content (what re-initializing a TF table does)."""
        keys, values = list(keys), list(values)
        if len(keys) != len(values):
            raise ValueError("StaticHashTable: %d keys but %d values" % (len(keys), len(values)))
        self._dict = {self._key(k): v for k, v in zip(keys, values)}
        self.keys, self.values = keys, values

    def size(self):
        return len(self._dict)

    def find(self, x):
        """The numpy lookup: values of `x`'s keys, default_value for missing ones."""
        get, default, key = self._dict.get, self.default_value, self._key
        flat = [get(key(k), default) for k in np.asarray(x, dtype=object).reshape(-1)]
        if self.value_dtype is dtypes.string:
            out = np.empty(len(flat), dtype=object)
            out[:] = [as_bytes(v) for v in flat]
        else:
            out = np.array(flat, dtype=self.value_dtype.np)
        return out.reshape(np.shape(x))

    def lookup(self, keys, name=None):
        return LookupTableFindV2.apply(keys, table=self, name=name)


class LookupTableFindV2(OpDef):
    """The values of `keys` in `table` (a StaticHashTable), its default for missing keys."""
    type = "LookupTableFindV2"
    attrs = {"table": None}
    stateful = True

    def infer(self, keys, *, table):
        require(isinstance(table, StaticHashTable), "LookupTableFindV2: `table` must be a "
                "StaticHashTable, got %r" % (table,))
        if keys.dtype is not table.key_dtype and not (
                keys.dtype.is_integer and table.key_dtype.is_integer):
            raise TypeError("LookupTableFindV2: the table has %s keys, got %s keys"
                            % (table.key_dtype.name, keys.dtype.name))
        return [TensorSpec(keys.shape, table.value_dtype)]

    def compute(self, keys, *, table):
        return table.find(keys)


__all__ = ["StaticHashTable"]

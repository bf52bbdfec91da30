"""tf.strings: lower, regex_replace, as_string, substr, to_hash_bucket_fast/strong (see ops/string_ops.py;
TF's ragged tf.strings.split and ngrams have dense forms there)."""
from tfgraph.ops.string_ops import (as_string, lower, regex_replace, substr,
                                    to_hash_bucket_fast, to_hash_bucket_strong)

__all__ = ["as_string", "lower", "regex_replace", "substr", "to_hash_bucket_fast",
           "to_hash_bucket_strong"]

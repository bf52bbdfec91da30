"""TF1's recurrent networks: the tf.nn.rnn_cell cells (rnn_cell_impl.py) and tf.nn.static_rnn /
dynamic_rnn and their bidirectional forms (rnn.py). They create variables, so they sit above
the op library (the fused LSTMSequence op they use is ops/rnn_ops.py)."""

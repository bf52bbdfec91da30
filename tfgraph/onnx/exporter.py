"""TF1 graph -> ONNX (opset 13+, default 17, ir_version 8), for inference graphs.

Everything the outputs need that does not depend on the inputs (variables, constants, shape
arithmetic) is evaluated once in the session and stored as an initializer. The remaining ops are
converted one by one; NHWC convolutions and pools are wrapped in Transposes to ONNX's NCHW and back.
ONNX value names are the TF tensor names ("x:0", "out/y:0").
"""
import numpy as np

from tfgraph.runtime import rewrites

_ONNX_TYPES = {"float32": 1, "uint8": 2, "int8": 3, "int16": 5, "int32": 6, "int64": 7, "string": 8,
               "bool": 9, "float16": 10, "float64": 11}
_UNARY = {"Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp", "Log": "Log",
          "Sqrt": "Sqrt", "Neg": "Neg", "Abs": "Abs", "Reciprocal": "Reciprocal",
          "Softplus": "Softplus",
          "Elu": "Elu", "Floor": "Floor", "Ceil": "Ceil", "Sign": "Sign", "Identity": "Identity",
          "StopGradient": "Identity", "Snapshot": "Identity", "Erf": "Erf"}
_BINARY = {"Add": "Add", "AddV2": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div", "Div": "Div",
           "Maximum": "Max", "Minimum": "Min", "Pow": "Pow", "Equal": "Equal", "Less": "Less",
           "Greater": "Greater"}
_REDUCE = {"Mean": "ReduceMean", "Sum": "ReduceSum", "Max": "ReduceMax", "Min": "ReduceMin",
           "Prod": "ReduceProd"}
NHWC_TO_NCHW, NCHW_TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]
_RNN_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu"}


def _onnx():
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise ImportError("ONNX export needs the `onnx` package: pip install onnx onnxruntime "
                          "(or tfgraph[viz]).") from None
    return onnx, helper, numpy_helper


class _Converter:
    def __init__(self, sess, inputs, outputs, opset):
        self.onnx, self.helper, self.nph = _onnx()
        self.sess, self.opset = sess, opset
        self.inputs, self.outputs = inputs, outputs
        self.nodes, self.initializers = [], {}
        self._resolved, self._uid = {}, 0
        fed = set(inputs)
        self.ops = self._prune(outputs, fed)
        self.dynamic = set(inputs)
        for op in self.ops:
            if any(self.resolve(t) in self.dynamic for t in op.inputs):
                self.dynamic.update(t for t in op.outputs if t not in fed)
        needed = []
        for op in self.ops:
            if op.outputs and op.outputs[0] in self.dynamic and op.outputs[0] not in fed:
                needed += [self.resolve(t) for t in op.inputs]
        needed += [self.resolve(t) for t in outputs]
        needed = list(dict.fromkeys(t for t in needed if t not in self.dynamic))
        # Both sides of a learning-phase select run in the session, so constants such as
        # gamma * rsqrt(moving_var + eps) can need the inputs fed although their values do not
        # depend on them: feed zeros (batch 1; other unknown dims 32).
        dummy = {t: np.zeros([1 if d is None and i == 0 else 32 if d is None else d
                              for i, d in enumerate(t.shape.as_list() or [])], t.dtype.np)
                 for t in inputs if t.shape.ndims is not None}
        values = sess.run(needed, dummy) if needed else []
        self.values = dict(zip(needed, values, strict=True))

    def producer(self, t):
        """t's op, or the one _RNNBlock standing for all the unrolled ops of a Keras RNN layer."""
        info = getattr(t, "_keras_rnn", None)
        if info is None:
            return t.op
        block = self._blocks.get(id(info))
        if block is None:
            block = self._blocks[id(info)] = _RNNBlock(info)
        return block

    def _prune(self, outputs, fed):
        """Ops the outputs need (inputs are sources), following resolve(); topological order."""
        order, state = [], {}
        self._blocks = {}
        stack = [(self.producer(self.resolve(t)), False) for t in reversed(outputs)
                 if self.resolve(t) not in fed]
        while stack:
            op, expanded = stack.pop()
            if expanded:
                if state.get(op) != 2:
                    state[op] = 2
                    order.append(op)
                continue
            if op in state:
                continue
            state[op] = 1
            stack.append((op, True))
            ref = op.op_def.ref_inputs
            deps = [self.producer(self.resolve(t)) for i, t in enumerate(op.inputs)
                    if i not in ref and self.resolve(t) not in fed]
            stack.extend((d, False) for d in reversed(deps) if d not in state)
        return order

    def resolve(self, t):
        """`t`, or the branch a select with an input-independent, uniform condition always takes
        (Keras's learning-phase switches: tf.where(broadcast_to(phase, shape(x)), train, infer))."""
        if t in self._resolved:
            return self._resolved[t]
        out = t
        while out.op.type == "SelectV2":
            cond = out.op.inputs[0]
            src = cond.op.inputs[0] if cond.op.type == "BroadcastTo" else cond
            ancestors = rewrites.prune([src], [], [])
            if any(x in self.inputs for op in ancestors for x in op.outputs):
                break
            v = np.asarray(self.sess.run(src))
            if not (v.all() or not v.any()):
                break
            out = out.op.inputs[1] if v.all() else out.op.inputs[2]
        self._resolved[t] = out
        return out

    # -- helpers ----------------------------------------------------------------------------------
    def fresh(self, base):
        self._uid += 1
        return "%s/_onnx_%d" % (base, self._uid)

    def node(self, op_type, ins, outs, name=None, **attrs):
        self.nodes.append(self.helper.make_node(op_type, ins, outs, name=name or outs[0], **attrs))
        return outs[0]

    def const(self, value, base="const", dtype=None):
        arr = np.asarray(value, dtype=dtype)
        name = self.fresh(base)
        self.initializers[name] = self.nph.from_array(arr, name)
        return name

    def value(self, t):
        """The constant value of a non-input-dependent tensor (needed as an ONNX attribute)."""
        t = self.resolve(t)
        if t in self.dynamic:
            raise NotImplementedError("ONNX export needs %s to be constant (it depends on the "
                                      "inputs); created at %s" % (t.name, t.op.location))
        return np.asarray(self.values[t])

    def name(self, t):
        t = self.resolve(t)
        if t in self.dynamic:
            return t.name
        if t.name not in self.initializers:
            v = np.asarray(self.values[t])
            if v.dtype == object:
                raise NotImplementedError("string constant %s cannot be exported" % t.name)
            self.initializers[t.name] = self.nph.from_array(v, t.name)
        return t.name

    def nchw(self, t):
        return self.node("Transpose", [self.name(t)], [self.fresh(t.op.name + "/nchw")],
                         perm=NHWC_TO_NCHW)

    # -- conversion -------------------------------------------------------------------------------
    def convert(self):
        fed = set(self.inputs)
        for op in self.ops:
            if not op.outputs or op.outputs[0] not in self.dynamic or op.outputs[0] in fed:
                continue
            fn = getattr(self, "op_" + op.type, None)
            if fn is None and op.type in _UNARY:
                fn = self._unary
            elif fn is None and op.type in _BINARY:
                fn = self._binary
            elif fn is None and op.type in _REDUCE:
                fn = self._reduce
            if fn is None:
                raise NotImplementedError("ONNX export has no converter for op type %s ('%s', "
                                          "created at %s)" % (op.type, op.name, op.location))
            fn(op)
        for t in self.outputs:
            if t not in self.dynamic:
                self.node("Identity", [self.name(t)], [t.name + "/const"])
        return self.build()

    def _unary(self, op):
        self.node(_UNARY[op.type], [self.name(op.inputs[0])], [op.outputs[0].name])

    def _binary(self, op):
        self.node(_BINARY[op.type], [self.name(t) for t in op.inputs], [op.outputs[0].name])

    def _reduce(self, op):
        x = op.inputs[0]
        out = op.outputs[0].name
        keep = int(bool(op.attrs.get("keep_dims", False)))
        axis = op.attrs.get("axis")
        if len(op.inputs) > 1:
            axis = self.value(op.inputs[1])
        axes = None if axis is None else [int(a) for a in np.ravel(axis)]
        self._reduce_node(_REDUCE[op.type], self.name(x), out, axes, keep)

    def _reduce_node(self, kind, x, out, axes, keep):
        """One ONNX Reduce* node; axes are an attribute before opset 18 (ReduceSum: 13)."""
        if axes is None:
            return self.node(kind, [x], [out], keepdims=keep)
        if kind != "ReduceSum" and self.opset < 18:
            return self.node(kind, [x], [out], keepdims=keep, axes=axes)
        return self.node(kind, [x, self.const(axes, "axes", np.int64)], [out], keepdims=keep)

    def op_Moments(self, op):
        """tf.nn.moments' fused op as TF's composite: mean, then the mean of squared deviations."""
        x, axes = self.name(op.inputs[0]), [int(a) for a in op.attrs["axis"]]
        keep = int(bool(op.attrs["keep_dims"]))
        mean_kept = self._reduce_node("ReduceMean", x, self.fresh(op.name + "/mean"), axes, 1)
        if keep:
            self.node("Identity", [mean_kept], [op.outputs[0].name])
        else:
            self._reduce_node("ReduceMean", x, op.outputs[0].name, axes, 0)
        d = self.node("Sub", [x, mean_kept], [self.fresh(op.name + "/centered")])
        sq = self.node("Mul", [d, d], [self.fresh(op.name + "/squared")])
        self._reduce_node("ReduceMean", sq, op.outputs[1].name, axes, keep)

    def op_BiasAdd(self, op):
        if op.attrs.get("data_format", "NHWC") != "NHWC":
            raise NotImplementedError("BiasAdd with data_format %s" % op.attrs["data_format"])
        self.node("Add", [self.name(t) for t in op.inputs], [op.outputs[0].name])

    def op_Square(self, op):
        x = self.name(op.inputs[0])
        self.node("Mul", [x, x], [op.outputs[0].name])

    def op_Rsqrt(self, op):
        s = self.node("Sqrt", [self.name(op.inputs[0])], [self.fresh(op.name)])
        self.node("Reciprocal", [s], [op.outputs[0].name])

    def op_SquaredDifference(self, op):
        d = self.node("Sub", [self.name(t) for t in op.inputs], [self.fresh(op.name)])
        self.node("Mul", [d, d], [op.outputs[0].name])

    def op_Relu6(self, op):
        dt = op.inputs[0].dtype.np
        lo, hi = self.const(0, "zero", dt), self.const(6, "six", dt)
        self.node("Clip", [self.name(op.inputs[0]), lo, hi], [op.outputs[0].name])

    def op_LeakyRelu(self, op):
        self.node("LeakyRelu", [self.name(op.inputs[0])], [op.outputs[0].name],
                  alpha=float(op.attrs["alpha"]))

    def _softmax(self, op, kind):
        self.node(kind, [self.name(op.inputs[0])], [op.outputs[0].name],
                  axis=int(op.attrs.get("axis", -1)))

    def op_Softmax(self, op):
        self._softmax(op, "Softmax")

    def op_LogSoftmax(self, op):
        self._softmax(op, "LogSoftmax")

    def op_MatMul(self, op):
        a, b = (self.name(t) for t in op.inputs)
        if op.attrs.get("transpose_a"):
            a = self.node("Transpose", [a], [self.fresh(op.name + "/a_t")], perm=[1, 0])
        if op.attrs.get("transpose_b"):
            b = self.node("Transpose", [b], [self.fresh(op.name + "/b_t")], perm=[1, 0])
        self.node("MatMul", [a, b], [op.outputs[0].name])

    def op_BatchMatMulV2(self, op):
        if op.attrs.get("adj_x") or op.attrs.get("adj_y"):
            raise NotImplementedError("BatchMatMulV2 with adj_x/adj_y ('%s')" % op.name)
        self.node("MatMul", [self.name(t) for t in op.inputs], [op.outputs[0].name])

    def op_Conv2D(self, op):
        a = op.attrs
        if a.get("data_format", "NHWC") != "NHWC" or a["padding"] not in ("SAME", "VALID"):
            raise NotImplementedError("Conv2D with data_format %s / padding %s ('%s')"
                                      % (a.get("data_format"), a["padding"], op.name))
        x, w = op.inputs
        if w in self.dynamic:
            wn = self.node("Transpose", [w.name], [self.fresh(op.name + "/oihw")],
                           perm=[3, 2, 0, 1])
        else:
            wn = self.const(np.ascontiguousarray(self.value(w).transpose(3, 2, 0, 1)),
                            op.name + "/kernel_oihw")
        kh, kw = [int(d) for d in w.shape.as_list()[:2]]
        pad = {"auto_pad": "SAME_UPPER"} if a["padding"] == "SAME" else {"pads": [0, 0, 0, 0]}
        y = self.node("Conv", [self.nchw(x), wn], [self.fresh(op.name)], kernel_shape=[kh, kw],
                      strides=list(a["strides"][1:3]), dilations=list(a["dilations"][1:3]), **pad)
        self.node("Transpose", [y], [op.outputs[0].name], perm=NCHW_TO_NHWC)

    def _pool(self, op, kind):
        a = op.attrs
        if a.get("data_format", "NHWC") != "NHWC":
            raise NotImplementedError("%s with data_format %s" % (op.type, a["data_format"]))
        pad = {"auto_pad": "SAME_UPPER"} if a["padding"] == "SAME" else {"pads": [0, 0, 0, 0]}
        y = self.node(kind, [self.nchw(op.inputs[0])], [self.fresh(op.name)],
                      kernel_shape=list(a["ksize"][1:3]), strides=list(a["strides"][1:3]), **pad)
        self.node("Transpose", [y], [op.outputs[0].name], perm=NCHW_TO_NHWC)

    def op_MaxPool(self, op):
        self._pool(op, "MaxPool")

    def op_AvgPool(self, op):
        self._pool(op, "AveragePool")

    def op_Reshape(self, op):
        shape = self.const(self.value(op.inputs[1]).astype(np.int64), op.name + "/shape")
        self.node("Reshape", [self.name(op.inputs[0]), shape], [op.outputs[0].name])

    def op_Transpose(self, op):
        perm = [int(p) for p in self.value(op.inputs[1])]
        self.node("Transpose", [self.name(op.inputs[0])], [op.outputs[0].name], perm=perm)

    def op_Squeeze(self, op):
        dims = op.attrs.get("squeeze_dims") or ()
        ins = [self.name(op.inputs[0])]
        if dims:
            ins.append(self.const(list(dims), "axes", np.int64))
        self.node("Squeeze", ins, [op.outputs[0].name])

    def op_ExpandDims(self, op):
        axis = self.const(np.ravel(self.value(op.inputs[1])), "axes", np.int64)
        self.node("Unsqueeze", [self.name(op.inputs[0]), axis], [op.outputs[0].name])

    def op_ConcatV2(self, op):
        axis = int(self.value(op.inputs[-1]))
        self.node("Concat", [self.name(t) for t in op.inputs[:-1]], [op.outputs[0].name], axis=axis)

    def op_Pack(self, op):
        axis = int(op.attrs.get("axis", 0))
        ax = self.const([axis], "axes", np.int64)
        parts = [self.node("Unsqueeze", [self.name(t), ax], [self.fresh(op.name)])
                 for t in op.inputs]
        self.node("Concat", parts, [op.outputs[0].name], axis=axis)

    def op_Cast(self, op):
        self.node("Cast", [self.name(op.inputs[0])], [op.outputs[0].name],
                  to=_ONNX_TYPES[op.outputs[0].dtype.name])

    def op_PlaceholderWithDefault(self, op):
        self.node("Identity", [self.name(op.inputs[0])], [op.outputs[0].name])

    # -- Keras recurrent layers: one ONNX LSTM / GRU / RNN node each -------------------------------
    def op_KerasRNN(self, block):
        """Keras (batch, time, features) -> time-major ONNX RNN node (ORT refuses layout=1)."""
        info, cfg = block.info, block.info["config"]
        kind, name, u = info["layer"], cfg["name"], cfg["units"]
        if info["initial_state"]:
            raise NotImplementedError("ONNX export of %s layer '%s' called with initial_state is "
                                      "not supported" % (kind, name))
        acts = [cfg.get("recurrent_activation"), cfg["activation"]] if kind != "SimpleRNN" \
            else [cfg["activation"]]
        if any(a not in _RNN_ACTIVATIONS for a in acts):
            raise NotImplementedError("ONNX export of %s layer '%s': activation %s has no ONNX RNN "
                                      "equivalent here (tanh, sigmoid, relu)" % (kind, name, acts))
        weights = [np.asarray(v) for v in
                   self.sess.run([w for w in info["weights"] if w is not None])]
        kernel, rec = weights[:2]
        bias = weights[2] if len(weights) > 2 else None
        attrs = {"hidden_size": u}
        if kind == "LSTM":   # Keras gate blocks i, f, c, o -> ONNX i, o, f, c
            perm = np.r_[0:u, 3 * u:4 * u, u:2 * u, 2 * u:3 * u]
            kernel, rec = kernel[:, perm], rec[:, perm]
            bias = None if bias is None else np.r_[bias[perm], np.zeros(4 * u, bias.dtype)]
            acts = [acts[0], acts[1], acts[1]]
        elif kind == "GRU":  # z, r, h in both; reset_after is ONNX's linear_before_reset
            attrs["linear_before_reset"] = int(cfg["reset_after"])
            if bias is not None:
                bias = np.r_[bias[0], bias[1]] if bias.ndim == 2 else \
                    np.r_[bias, np.zeros_like(bias)]
        elif bias is not None:
            bias = np.r_[bias, np.zeros_like(bias)]
        base = name + "/onnx"
        ins = [self.const(np.ascontiguousarray(kernel.T[None]), base + "/W"),
               self.const(np.ascontiguousarray(rec.T[None]), base + "/R")]
        if bias is not None:
            ins.append(self.const(bias[None], base + "/B"))
        x = self.node("Transpose", [self.name(info["input"])], [self.fresh(base + "/time_major")],
                      perm=[1, 0, 2])
        if cfg["go_backwards"]:   # Keras feeds the reversed sequence and returns what it made
            bounds = [self.const(v, n, np.int64) for v, n in (
                ([-1], "starts"), ([np.iinfo(np.int64).min], "ends"), ([0], "axes"),
                ([-1], "steps"))]
            x = self.node("Slice", [x] + bounds, [self.fresh(base + "/reversed")])
        used = self._used_tensors()
        output, states = info["outputs"][0], info["outputs"][1:]
        seq = cfg["return_sequences"]
        if not seq:   # the output is the last h, as the h state is
            states = [output] + states
        # Y [T, 1, N, u], Y_h and Y_c [1, N, u]; outputs nobody reads stay unnamed ("")
        y = self.fresh(base + "/Y") if seq else ""
        y_h = self.fresh(base + "/Y_h") if any(t in used for t in states[:-1 if kind == "LSTM"
                                                                           else None]) else ""
        outs = [y, y_h]
        if kind == "LSTM" and states[-1] in used:
            outs.append(self.fresh(base + "/Y_c"))
        onnx_type = {"LSTM": "LSTM", "GRU": "GRU", "SimpleRNN": "RNN"}[kind]
        self.node(onnx_type, [x] + ins, outs, name=self.fresh(base + "/" + onnx_type),
                  activations=[_RNN_ACTIVATIONS[a] for a in acts], **attrs)
        if seq:   # -> [N, T, u]
            ys = self.node("Squeeze", [y, self.const([1], "axes", np.int64)],
                           [self.fresh(base + "/Y_squeezed")])
            self.node("Transpose", [ys], [output.name], perm=[1, 0, 2])
        sources = [y_h] * (len(states) - 1) + [outs[-1]] if kind == "LSTM" else [y_h] * len(states)
        for t, src in zip(states, sources):   # -> [N, u]
            if t in used:
                self.node("Squeeze", [src, self.const([0], "axes", np.int64)], [t.name])

    def _used_tensors(self):
        """The tensors the exported ops and outputs read (after resolve())."""
        if getattr(self, "_used", None) is None:
            self._used = {self.resolve(t) for op in self.ops for t in op.inputs}
            self._used.update(self.resolve(t) for t in self.outputs)
        return self._used

    # -- model ------------------------------------------------------------------------------------
    def value_info(self, t):
        dims = t.shape.as_list() if t.shape.ndims is not None else None
        if dims is not None:
            dims = ["N" if (d is None and i == 0) else ("d%d" % i if d is None else d)
                    for i, d in enumerate(dims)]
        return self.helper.make_tensor_value_info(t.name, _ONNX_TYPES[t.dtype.name], dims)

    def build(self):
        h = self.helper
        outs = []
        for t in self.outputs:
            vi = self.value_info(t)
            if t not in self.dynamic:
                vi.name = t.name + "/const"
            outs.append(vi)
        graph = h.make_graph(self.nodes, "tfgraph", [self.value_info(t) for t in self.inputs], outs,
                             list(self.initializers.values()))
        opset = h.make_opsetid("", self.opset)
        ir = max(8, h.find_min_ir_version_for([opset]))
        model = h.make_model(graph, opset_imports=[opset], ir_version=ir,
                             producer_name="tfgraph")
        model = self.onnx.shape_inference.infer_shapes(model)  # edge shapes for Netron
        self.onnx.checker.check_model(model, full_check=True)
        return model


class _RNNBlock:
    """Stands in the pruned op list for every op a Keras RNN layer unrolled (see
    tfgraph_keras/layers/recurrent.py, which leaves `_keras_rnn` on its output tensors): it reads
    the layer's input and produces its output and final states."""

    type = "KerasRNN"

    class op_def:  # noqa: N801 - what _prune reads from a real op's OpDef
        ref_inputs = ()

    def __init__(self, info):
        self.info = info
        self.inputs = [info["input"]]
        self.outputs = list(info["outputs"])
        self.name = info["config"]["name"]
        self.location = info["outputs"][0].op.location


def export_graph(sess, path, inputs, outputs, opset=17):
    """Exports what `outputs` need from `inputs` in `sess`'s graph; returns the onnx.ModelProto."""
    if opset < 13:
        raise ValueError("opset %d: tfgraph exports opset 13 or newer" % opset)
    graph = sess.graph
    inputs = [graph.as_graph_element(t, allow_tensor=True, allow_operation=False) for t in inputs]
    outputs = [graph.as_graph_element(t, allow_tensor=True, allow_operation=False) for t in outputs]
    model = _Converter(sess, inputs, outputs, opset).convert()
    if path is not None:
        _onnx()[0].save(model, path)
    return model

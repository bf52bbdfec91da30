"""Operation: a node of the graph (type, name, inputs, outputs, control inputs, attrs, user file:line)."""
import os
import sys

from tfgraph.framework.session_stack import session_for

_PACKAGE_ROOTS = (
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,  # .../tfgraph/
    os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                 "tfgraph_keras") + os.sep,
)


def user_location():
    """'file:line' of the innermost frame outside tfgraph/tfgraph_keras: where the user made the op."""
    frame = sys._getframe(1)
    while frame is not None:
        fname = frame.f_code.co_filename
        if not fname.startswith(_PACKAGE_ROOTS) and "contextlib" not in fname:
            return "%s:%d" % (fname, frame.f_lineno)
        frame = frame.f_back
    return "<unknown>"


class Operation:
    """A graph node. Created by op functions (`tf.matmul`, ...), never directly by users."""

    def __init__(self, graph, op_def, name, inputs, attrs, output_specs, control_inputs=(),
                 location=None, device=""):
        self.graph = graph
        self.op_def = op_def
        self.type = op_def.type
        self.name = name
        self._inputs = tuple(inputs)
        self.attrs = attrs
        self._control_inputs = list(control_inputs)
        self.location = location or user_location()
        self.device = device
        # the tf.RegisterGradient name chosen by graph.gradient_override_map (TF's
        # _gradient_op_type attr), looked up when tf.gradients reaches this op
        self._gradient_override = getattr(graph, "_gradient_override_map", {}).get(self.type)
        self.outputs = [Tensor(self, i, spec.dtype, spec.shape) for i, spec in enumerate(output_specs)]
        self._consumers = []
        for t in self._inputs:
            t._consumers.append(self)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)

    @property
    def node_def(self):
        """A small dict standing in for TF's NodeDef (name, op, input, attr, device)."""
        inputs = [t.name if t.value_index else t.op.name for t in self._inputs]
        inputs += ["^" + c.name for c in self._control_inputs]
        return {"name": self.name, "op": self.type, "input": inputs, "attr": dict(self.attrs),
                "device": self.device}

    def get_attr(self, name):
        if name not in self.attrs:
            raise ValueError("Operation %r has no attr named %r." % (self.name, name))
        return self.attrs[name]

    def values(self):
        return tuple(self.outputs)

    def run(self, feed_dict=None, session=None):
        """Runs this op in `session` (default: the default session)."""
        session_for(session, self.graph, "Operation.run()").run(self, feed_dict)

    def _as_graph_element(self):
        return self

    def __repr__(self):
        return "<tf.Operation '%s' type=%s>" % (self.name, self.type)

    __str__ = __repr__


from tfgraph.framework.tensor import Tensor  # noqa: E402

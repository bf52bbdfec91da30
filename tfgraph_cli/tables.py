"""Text tables: a plain column table, and the Keras-style summary of a tfgraph graph."""
import numpy as np

VARIABLE_OPS = ("VariableV2", "Variable", "VarHandleOp")


def print_table(header, rows, print_fn):
    widths = [max(len(str(r[i])) for r in [header] + list(rows)) for i in range(len(header))]
    def line(r):
        return "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    print_fn(line(header))
    print_fn("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for r in rows:
        print_fn(line(r))


def _shape_text(op):
    if not op.outputs:
        return "()"  # no outputs: a train op or an initializer
    if len(op.outputs) > 1:
        return "multiple"
    shape = op.outputs[0].shape
    if shape.ndims is None:
        return "<unknown>"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape.as_list()) + \
        ("," if shape.ndims == 1 else "") + ")"


def _cells(fields, positions):
    text = ""
    for i, field in enumerate(fields):
        if i > 0:
            text = text[:-1] + " "
        text += str(field)
        text = text[:positions[i]]
        text += " " * (positions[i] - len(text))
    return text.rstrip()


def graph_summary(graph, name, line_length, print_fn):
    """Op (type) | Output Shape | Inputs, one row an op, then the variables' totals (the layout
    of Keras's model.summary())."""
    positions = [int(line_length * p) for p in (0.45, 0.65, 1.0)]
    print_fn('Graph: "%s"' % name)
    print_fn("_" * line_length)
    print_fn(_cells(["Op (type)", "Output Shape", "Inputs"], positions))
    print_fn("=" * line_length)
    ops = graph.get_operations()
    for op in ops:
        inputs = [t.name for t in op.inputs] + ["^" + c.name for c in op.control_inputs]
        print_fn(_cells(["%s (%s)" % (op.name, op.type), _shape_text(op),
                         ", ".join(inputs)], positions))
    print_fn("=" * line_length)
    variables = [op for op in ops if op.type in VARIABLE_OPS]
    params = 0
    for op in variables:
        dims = op.outputs[0].shape.as_list() if op.outputs[0].shape.ndims is not None else [None]
        params += int(np.prod(dims)) if None not in dims else 0
    print_fn("Total ops: %s" % format(len(ops), ","))
    print_fn("Variables: %d (%s params)" % (len(variables), format(params, ",")))
    print_fn("_" * line_length)

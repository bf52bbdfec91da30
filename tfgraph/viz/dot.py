"""Graphviz DOT of a graph: name scopes as clusters, deeper scopes collapsed to one box each.

    text = to_dot(graph, depth=1)      # top-level scopes are clusters; scopes below them collapsed
    render(graph, "g.svg")             # needs the `dot` binary (Debian package `graphviz`)
"""
import os
import shutil
import subprocess

from tfgraph.viz.networkx_export import as_graph, shape_text

_OP_SHAPES = {"Placeholder": "ellipse", "VariableV2": "cylinder", "Const": "plaintext"}


def _q(s):
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"')


def node_of(op_name, depth):
    """(node id, scope parts drawn as clusters) of an op when scopes below `depth` collapse."""
    parts = op_name.split("/")[:-1]
    if depth is None or len(parts) <= depth:
        return op_name, parts
    return "scope:" + "/".join(parts[:depth + 1]), parts[:depth]


def to_dot(graph=None, depth=1, show_shapes=True, rankdir="TB"):
    """DOT source of `graph`. depth=None expands every scope; depth=0 collapses top-level scopes.

    Each op is a box "name\\nType"; a collapsed scope is a box3d "scope/ (n ops)". Edges carry the
    tensor shape ("?x784"), "k tensors" when several tensors join the same two boxes; control edges
    are dashed.
    """
    graph = as_graph(graph)
    ops = graph.get_operations()
    nodes = {}      # id -> (label, shape, cluster parts)
    counts = {}
    for op in ops:
        nid, parts = node_of(op.name, depth)
        if nid.startswith("scope:"):
            counts[nid] = counts.get(nid, 0) + 1
            nodes[nid] = (None, "box3d", parts)
        else:
            nodes[nid] = ("%s\\n%s" % (op.name.split("/")[-1], op.type),
                          _OP_SHAPES.get(op.type, "box"), parts)
    edges = {}
    for op in ops:
        dst = node_of(op.name, depth)[0]
        for t in op.inputs:
            src = node_of(t.op.name, depth)[0]
            if src != dst:
                edges.setdefault((src, dst, False), []).append(shape_text(t.shape))
        for c in op.control_inputs:
            src = node_of(c.name, depth)[0]
            if src != dst:
                edges.setdefault((src, dst, True), [])
    # cluster tree: prefix tuple -> list of node ids directly inside
    tree = {}
    for nid, (_, _, parts) in nodes.items():
        for i in range(len(parts) + 1):
            tree.setdefault(tuple(parts[:i]), [])
        tree[tuple(parts)].append(nid)
    lines = ["digraph tfgraph {", "  rankdir=%s; compound=true; fontname=Helvetica;" % rankdir,
             "  node [fontname=Helvetica, fontsize=10, style=filled, fillcolor=\"#f4f6fb\"];",
             "  edge [fontname=Helvetica, fontsize=8];"]
    counter = [0]

    def emit(prefix, indent):
        for nid in tree.get(prefix, []):
            label, shape, _ = nodes[nid]
            if label is None:
                label = "%s/\\n(%d ops)" % (nid[len("scope:"):].split("/")[-1], counts[nid])
            lines.append("%s%s [label=%s, shape=%s];" % (indent, _q(nid), _q(label), shape))
        children = sorted(k for k in tree
                          if len(k) == len(prefix) + 1 and k[:len(prefix)] == prefix)
        for child in children:
            counter[0] += 1
            lines.append("%ssubgraph cluster_%d {" % (indent, counter[0]))
            lines.append("%s  label=%s; style=rounded; color=\"#7a8bb5\";"
                         % (indent, _q(child[-1])))
            emit(child, indent + "  ")
            lines.append("%s}" % indent)

    emit((), "  ")
    for (src, dst, control), shapes in edges.items():
        attrs = []
        if control:
            attrs.append("style=dashed")
        elif show_shapes:
            text = shapes[0] if len(shapes) == 1 else "%d tensors" % len(shapes)
            attrs.append("label=%s" % _q(text))
        extra = " [%s]" % ", ".join(attrs) if attrs else ""
        lines.append("  %s -> %s%s;" % (_q(src), _q(dst), extra))
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(graph, path, **kwargs):
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_dot(graph, **kwargs))
    return path


def dot_binary():
    """Path of Graphviz's `dot`, or RuntimeError naming the package that provides it."""
    path = shutil.which("dot")
    if path is None:
        raise RuntimeError("Rendering needs the Graphviz `dot` program, which is not on PATH. "
                           "Install the Debian package `graphviz` (apt-get install graphviz); "
                           "the pip packages `graphviz`/`pydot` do not include it. write_dot() "
                           "works without it.")
    return path


def render_dot(dot_text, path, fmt=None, dpi=None):
    fmt = fmt or os.path.splitext(path)[1].lstrip(".") or "svg"
    cmd = [dot_binary(), "-T" + fmt, "-o", path] + (["-Gdpi=%d" % dpi] if dpi else [])
    proc = subprocess.run(cmd, input=dot_text.encode("utf-8"), capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError("dot failed: %s" % proc.stderr.decode(errors="replace"))
    return path


def render(graph, path, fmt=None, **kwargs):
    """Renders to_dot(graph) to SVG/PNG/PDF (format from the extension unless `fmt`)."""
    return render_dot(to_dot(graph, **kwargs), path, fmt)

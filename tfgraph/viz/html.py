"""write_html: the graph as ONE self-contained HTML page (inline data, CSS and JS; no network).

The page lays the graph out in the browser: pan (drag) and zoom (wheel), name scopes that expand and
collapse on click, search by op name (Enter jumps to the first hit), and a side panel with the op's
type, device, inputs, consumers, output dtypes/shapes, attrs and the file:line that created it.
Given a run profile (the RunMetadata of a
`Session.run(..., options=RunOptions(trace_level=FULL_TRACE))`, or a dict op name -> ms) nodes
are shaded by time and the panel shows per-op time.
"""
import html
import json
import os

from tfgraph.viz.networkx_export import as_graph, attr_text, shape_text

_CSS = """
body{margin:0;font:13px Helvetica,Arial,sans-serif;display:flex;height:100vh;overflow:hidden}
#main{flex:1;position:relative}#canvas{width:100%;height:100%;background:#fbfbfd;cursor:grab}
#bar{position:absolute;top:8px;left:8px;display:flex;gap:6px;align-items:center;background:#fff;
padding:6px;border:1px solid #ccd;border-radius:6px}#search{width:220px}
#results{position:absolute;top:48px;left:8px;max-height:40vh;overflow:auto;margin:0;padding:0;
list-style:none;background:#fff;border:1px solid #ccd}#results li{padding:2px 8px;cursor:pointer}
#results li:hover{background:#eef}
#side{width:360px;border-left:1px solid #ccd;overflow:auto;padding:8px}
#side h2{font-size:14px;word-break:break-all}
#side th{text-align:left;vertical-align:top;padding-right:6px;
color:#555;white-space:nowrap}#side td{white-space:pre-wrap;word-break:break-all}
.oplink{display:block}g.node{cursor:pointer}g.node rect{fill:#eef2fb;stroke:#7a8bb5}
g.node.scope rect{fill:#dfe7f7;stroke:#4a5f95;stroke-width:2}
g.node.match rect{stroke:#e07b00;stroke-width:3}
g.node.selected rect{stroke:#d00;stroke-width:3}
g.node text{text-anchor:middle;font-size:11px;pointer-events:none}
g.node text.type{fill:#666;font-size:10px}.edge{fill:none;stroke:#889;stroke-width:1.2}
.edge.ctrl{stroke-dasharray:4 3;stroke:#aab}.elabel{font-size:9px;fill:#667}
g.scope-box rect{fill:rgba(120,140,200,0.06);stroke:#9aa8cc;stroke-dasharray:3 2;cursor:pointer}
g.scope-box text{font-size:11px;fill:#4a5f95;cursor:pointer}#status{color:#555;font-size:12px}
"""

_BODY = """<div id="main"><svg id="canvas" xmlns="http://www.w3.org/2000/svg"><defs>
<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7"
orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#889"/></marker></defs>
<g id="viewport"></g></svg>
<div id="bar"><input id="search" type="search" placeholder="search op name" autocomplete="off">
<span id="hits"></span><button id="fit">fit</button><button id="collapse">collapse all</button>
<span id="status"></span></div><ul id="results"></ul></div>
<div id="side"><div id="details">
<p>Click an op for details; click a scope box to expand it.</p></div></div>
"""


def _profile_table(profile):
    """{op name: (ms, output bytes)} from a RunMetadata, a StepStats or a dict name -> ms."""
    if profile is None:
        return {}
    if isinstance(profile, dict):
        return {k: (float(v), None) for k, v in profile.items()}
    stats = getattr(profile, "step_stats", profile)
    out = {}
    for ns in stats.node_stats():
        ms, nbytes = out.get(ns.node_name, (0.0, 0))
        out[ns.node_name] = (ms + ns.duration_ms, nbytes + ns.output_bytes)
    return out


def graph_data(graph, profile=None, expanded=()):
    times = _profile_table(profile)
    ops = []
    for op in graph.get_operations():
        ms, nbytes = times.get(op.name, (None, None))
        ops.append({"n": op.name, "t": op.type, "d": op.device or "", "loc": op.location,
                    "attrs": {k: attr_text(v, 200) for k, v in op.attrs.items()},
                    "outs": [{"dt": t.dtype.name, "sh": shape_text(t.shape)} for t in op.outputs],
                    "ins": [t.name for t in op.inputs],
                    "ctrl": [c.name for c in op.control_inputs],
                    "time_ms": ms, "bytes": nbytes})
    return {"ops": ops, "expanded": list(expanded)}


def to_html(graph=None, profile=None, title=None, expanded=()):
    graph = as_graph(graph)
    data = json.dumps(graph_data(graph, profile, expanded)).replace("</", "<\\/")
    with open(os.path.join(os.path.dirname(__file__), "viewer.js"), encoding="utf-8") as f:
        js = f.read()
    title = html.escape(title or "tfgraph graph (%d ops)" % len(graph.get_operations()))
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>"
            "<style>%s</style></head><body>%s"
            "<script type=\"application/json\" id=\"graph-data\">%s</script>"
            "<script>%s</script></body></html>\n" % (title, _CSS, _BODY, data, js))


def write_html(graph, path, profile=None, title=None, expanded=()):
    """Writes the interactive viewer for `graph` (a Graph, Session or Keras model) to `path`."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_html(graph, profile, title, expanded))
    return path

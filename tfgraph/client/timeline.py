"""timeline.Timeline: a run profile as Chrome trace-event JSON (chrome://tracing, Perfetto).

    md = tf.RunMetadata()
    sess.run(train_op, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    with open("timeline.json", "w") as f:
        f.write(timeline.Timeline(md.step_stats).generate_chrome_trace_format())
"""
import json


class Timeline:
    """TF1's tensorflow.python.client.timeline.Timeline over a tfgraph StepStats."""

    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False):
        events = []
        produced = {}  # op name -> (pid, end ts) for dataflow arrows
        flow_id = 0
        for pid, dev in enumerate(self._step_stats.dev_stats):
            events.append({"name": "process_name", "ph": "M", "pid": pid,
                           "args": {"name": "%s Compute" % dev.device}})
            events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": 0,
                           "args": {"name": "ops"}})
            for ns in dev.node_stats:
                ts = ns.all_start_micros
                dur = ns.all_end_rel_micros
                args = {"name": ns.node_name, "op": ns.op_type, "output_bytes": ns.output_bytes}
                label_inputs = ns.timeline_label.split("(", 1)[1].rstrip(")")
                for i, inp in enumerate(x for x in label_inputs.split(", ") if x):
                    args["input%d" % i] = inp
                events.append({"name": ns.op_type, "cat": "Op", "ph": "X", "pid": pid, "tid": 0,
                               "ts": ts, "dur": dur, "args": args})
                if show_dataflow:
                    for i in range(len(args) - 3):
                        src = args["input%d" % i].split(":")[0]
                        if src in produced:
                            flow_id += 1
                            spid, sts = produced[src]
                            events.append({"name": src, "cat": "DataFlow", "ph": "s", "pid": spid,
                                           "tid": 0, "ts": sts, "id": flow_id})
                            events.append({"name": src, "cat": "DataFlow", "ph": "t", "pid": pid,
                                           "tid": 0, "ts": ts, "id": flow_id})
                produced[ns.node_name] = (pid, ts + dur)
                if show_memory and ns.output_bytes:
                    events.append({"name": "Memory", "ph": "C", "pid": pid, "ts": ts + dur,
                                   "args": {ns.node_name: ns.output_bytes}})
        return json.dumps({"traceEvents": events}, indent=None)

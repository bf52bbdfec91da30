"""tfgraph_cli: the `tfgraph` command-line tool (summary, graph, inspect, evaluate, predict,
export, train, bench, board), built on click. Entry point: tfgraph_cli.main:main."""

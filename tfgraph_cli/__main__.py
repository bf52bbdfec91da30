"""python -m tfgraph_cli: the same as the `tfgraph` console script."""
import sys

from tfgraph_cli.main import main

sys.exit(main())

"""Demonstration and simulation code, kept out of the product's import graph: nothing under
`haiquan.app` imports this package, nor does the command line until a demo command runs
(tests/test_import_graph.py holds both). The benchmarks and the tests use it too.

- `world`: `haiquan demo seed`, a working customs office to click through.
- `supervision`, `story`, `payments`, `enforcement`: the parts of that world each domain contributes.
- `history`: generated national-scale history for the dashboard (`haiquan reports simulate-history`).
- `traffic`: declarants' systems lodging through the public HTTP API (`haiquan simulate`).
- `terminals`: a carrier and a terminal operator driving the public HTTP API (`haiquan supervision simulate`).
"""

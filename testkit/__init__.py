"""Tools for the tests and benchmarks, kept out of the production packages.

Nothing here is installed with `pip install .`: the tests put the repository root on the path
(`pythonpath` in pyproject.toml) and the benchmarks do the same when run as scripts.
"""

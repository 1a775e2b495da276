"""Imported by the build's fork server before it forks any parse worker (archive/parse_pool.py).

Importing it loads what every worker would otherwise load for its first documents (the
readers' libraries, jieba's dictionary, the layouts: parser/warm.py), once in the fork server
for all the workers it forks.
"""

from parser.warm import warm_up

warm_up()

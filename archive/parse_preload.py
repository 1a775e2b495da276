"""Imported by the build's fork server before it forks any parse worker (archive/parse_pool.py).

Importing it loads what every worker would otherwise load for its first documents (the
readers' libraries, jieba's dictionary, the layouts: parser/warm.py), once in the fork server
for all the workers it forks, and freezes it out of the garbage collector's walks.
"""

from parser.warm import start_parse_process

start_parse_process()

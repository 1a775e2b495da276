"""HTML page to `Document`: find the report body in the CMS chrome, keep offsets into the markup.

lxml builds the tree (fast, forgiving, and it walks deep trees without Python recursion), but
it does not say where a text node sits in the source. So a second, linear pass tokenises the
markup into its text stream (tags and comments skipped, entities decoded) and every text node
of the tree is located in that stream in document order; that gives each character of the
clean text its position in the markup, which is what evidence display needs.

Body: the first known CMS container (parser/data/body_containers.txt) that holds real text,
else the deepest block element holding most of the page's non-link text. Chrome inside the
body is removed line by line by `parser.text_clean`. Tables become rows of tab-separated
cells in the text (so text-level fallbacks still see a row) and `Grid`s with spans expanded.

The modules, in the order `document.load_html` uses them:

* js_string.py: a JavaScript data file whose HTML sits in a string, unwrapped;
* tree.py: the lxml tree and what every pass over it shares (tag sets, text length);
* stream.py: the markup's text stream with source positions, and the aligner;
* body.py: where the report body is (known containers, else the densest block);
* walk.py: one pass over the tree that emits the body's text, chrome dropped;
* meta.py: title, date, URL and publisher the page states;
* tables.py: `<table>` elements as `Grid`s, layout tables left out;
* document.py: `load_html`, the entry point (parser/load.py calls it).

The package itself imports nothing, so that the crawler's `find_body` (scraper/discover.py)
does not load the whole HTML reader.
"""

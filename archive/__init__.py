"""The SQLite archive: raw documents, parsed reports, publishers, search, Datasette.

    archive.schema.ensure_schema(db)     create or migrate every table, view and index
    archive.store.add_document(db, ...)  keep raw bytes content-addressed (the crawler's entry)
    archive.importer.import_paths(...)   add local files with provenance (`xxgk import`)
    archive.build.build(db)              parse what is new or stale (`xxgk build`)
    archive.serve.serve(db_path)         Datasette on the archive (`xxgk serve`)
"""

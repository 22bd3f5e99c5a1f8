"""Generated data: the seed vocabulary (`vocabulary.py`), orders as domain objects for
tests and the demo (`factory.py`), orders as database rows for bulk seeding (`rows.py`),
the `seed` command's loading (`loading.py`) and the first-start demo (`demo.py`)."""

"""Background work beside the HTTP API: webhook delivery (`delivery.py`)."""

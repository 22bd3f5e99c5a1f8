"""Background work beside the HTTP server: order fulfilment (`fulfilment.py`), webhook
delivery (`delivery.py`), and how both are run (`runner.py`)."""

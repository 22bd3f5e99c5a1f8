"""Background work beside the HTTP server: order fulfilment."""

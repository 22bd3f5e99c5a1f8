"""Background work beside the HTTP server: every kind of it in one registry (`steps.py`,
also the sandbox's drain: settling orders, reviewing requirement groups
(`requirement_groups.py`) and documents (`documents.py`), freeing expired reservations,
retention (`retention.py`), webhook delivery (`delivery.py`)), run by the step threads
(`threads.py`), the pruner's thread and the delivery loop, all started by `runner.py`; and
the sandbox's poller (`sandbox.py`), which keeps each process's clock and faults in step
with the store."""

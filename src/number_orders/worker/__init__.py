"""Background work beside the HTTP server: every kind of it in one registry (`steps.py`,
also the sandbox's drain), run by the step threads (`threads.py`) and the webhook
delivery loop (`delivery.py`), both started by `runner.py`; and the sandbox's poller
(`sandbox.py`), which keeps each process's clock and faults in step with the store."""

"""number-orders: a stateful server for the Telnyx number orders API."""

__version__ = "0.1.0"

import os as _os

from number_orders.domain import ids as _ids

# A forked child must not repeat its parent's ids: it reseeds the shared source from the
# operating system (the domain itself stays free of process-level hooks).
_os.register_at_fork(after_in_child=lambda: _ids.seed(None))

"""Pure rules about number orders: no I/O, no HTTP, no SQL."""

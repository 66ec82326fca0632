"""Every write of merchants and listings: one module per sub-domain."""

"""Domain events that apps above `takedowns` act on, sent inside the transaction that causes them.

`reports` listens to these to queue DSA statements of reasons in the same transaction as the takedown or
the ban (so a statement exists exactly when the decision does), without `takedowns` importing `reports`.
They are events, not hidden logic: each is sent from exactly one service, named in its docstring.
"""

from django.dispatch import Signal

# Sent by `enforcement.enforce_effects` with `claim` (the claim just taken down).
claim_taken_down = Signal()
# Sent by `bans.merchant_ban` with `merchant` and `ban` (the ban's `merchant_ban` AuditEvent).
merchant_banned = Signal()

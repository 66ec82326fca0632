"""Every write to claims and what follows from them, one module per sub-domain:

- `filing`: listings found, claims created, evidence added, a claim filed in one step
- `conditions`: what must hold before a claim is submitted (shown early by the forms too)
- `transitions`: the locking engine and one typed function per edge of the claim state graph
- `notices`: the e-mails a claim causes and the merchant's signed link
- `enforcement`: what a takedown and a reinstatement do beyond the claim
- `bans`: strikes and bans of repeat infringers
- `batches`: bulk filing
- `deadlines`: what happens when time runs out
- `programmes`: the good-faith and misuse programmes, computed from claims
"""

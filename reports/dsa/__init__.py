"""DSA statements of reasons (Art. 17, Art. 24(5)) in the EU Transparency Database API format.

- `statements`: one statement per takedown and one per merchant ban, built from the claims and the audit
  trail. No personal data (Art. 24(5)): no names, e-mails or signatures of the brand, the merchant or staff,
  and no free text the brand typed. The `puid` comes from the claim reference or the ban's audit event, so
  it is stable across exports and retries, and unique.
- `validation`: the database's `StatementStoreRequest` rules (every enum and field rule in
  docs/dsa-statement-of-reasons.md), applied before anything leaves.
- `delivery`: statements queued in the outbox (channel "tdb") in the takedown's or the ban's transaction,
  sent in batches of at most 100 (`POST {DSA_TDB_URL}/api/v1/statements`). The database stores a batch all
  or nothing and refuses one with a known `puid` (422 with `existing_puids`); those statements are already
  stored, so they are marked delivered and the rest are sent again.
"""

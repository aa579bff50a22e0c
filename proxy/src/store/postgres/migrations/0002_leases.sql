-- Work that only one process may do at a time (a feed's fetch, a token's refresh), held until
-- `expires_ms` by `holder`; a holder that dies loses it when that time passes.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_ms  BIGINT NOT NULL
);
-- No call to Instagram for `feed` before `resume_at` (Unix time): Instagram rate limited it.
CREATE TABLE feed_pauses (
    feed        TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    resume_at   BIGINT NOT NULL,
    reason      TEXT NOT NULL
);

-- The schema as it stood when migrations began to be versioned. Every statement is idempotent:
-- a database made by an earlier release already has some of these tables.

CREATE TABLE IF NOT EXISTS feeds (
    name            TEXT PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    allowed_origins TEXT NOT NULL DEFAULT '',
    username        TEXT NOT NULL DEFAULT '',
    user_id         TEXT,
    app_user_id     TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    feed            TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    token           TEXT NOT NULL,
    issued_at       INTEGER NOT NULL,
    refreshed_at    INTEGER,
    expires_at      INTEGER,
    state           TEXT NOT NULL DEFAULT 'active',
    last_error      TEXT,
    last_failure_at INTEGER
);
CREATE TABLE IF NOT EXISTS snapshots (
    feed        TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    feed    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_feed ON events(feed, id);

CREATE TABLE IF NOT EXISTS mirrored_media (
    source      TEXT PRIMARY KEY,
    digest      TEXT NOT NULL,
    media       TEXT NOT NULL,
    mirrored_at INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mirrored_media_by_digest ON mirrored_media(digest);

CREATE TABLE IF NOT EXISTS admin (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash TEXT NOT NULL,
    set_at        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS invites (
    id_hash     TEXT PRIMARY KEY,
    feed        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE TABLE IF NOT EXISTS admin_sessions (
    id_hash     TEXT PRIMARY KEY,
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS alert_states (
    feed        TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    condition   TEXT NOT NULL,
    since       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    feed        TEXT NOT NULL,
    event       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS alert_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    feed        TEXT NOT NULL,
    username    TEXT NOT NULL,
    condition   TEXT NOT NULL,
    previous    TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS meta_deletions (
    code          TEXT PRIMARY KEY,
    requested_at  INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    feeds_removed INTEGER NOT NULL DEFAULT 0,
    done_at       INTEGER,
    digests       TEXT NOT NULL DEFAULT ''
);

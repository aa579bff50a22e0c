-- Moderation, per feed. `version` grows with every change to a feed's moderation (in this table
-- or the three below), so that every instance on the database sees the change within a second.
-- `show_only` is a hashtag (`#tag`, lower case) a post must carry to be shown; `approval_since`
-- is when "new posts need approval" was turned on (NULL: off).
CREATE TABLE feed_moderation (
    feed            TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    version         BIGINT NOT NULL,
    show_only       TEXT,
    approval_since  BIGINT
);
-- Posts the owner hid.
CREATE TABLE hidden_posts (
    feed        TEXT NOT NULL REFERENCES feeds(name) ON DELETE CASCADE,
    post_id     TEXT NOT NULL,
    hidden_at   BIGINT NOT NULL,
    PRIMARY KEY (feed, post_id)
);
-- Words and `#hashtags` (lower case) whose posts are hidden.
CREATE TABLE hide_terms (
    feed        TEXT NOT NULL REFERENCES feeds(name) ON DELETE CASCADE,
    term        TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (feed, term)
);
-- While approval is on: the posts that may be shown, those stored when it was turned on and those
-- approved since. A post not listed was first seen after it was turned on, and waits.
CREATE TABLE approved_posts (
    feed        TEXT NOT NULL REFERENCES feeds(name) ON DELETE CASCADE,
    post_id     TEXT NOT NULL,
    approved_at BIGINT NOT NULL,
    PRIMARY KEY (feed, post_id)
);

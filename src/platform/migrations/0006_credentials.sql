-- 0006_credentials (global migration 10 before modules): credentials that end with the password that issued them, and tokens that end with
-- the token that created them (issue 9 item 5). Checked by the store on every request, never cached.
-- global-version: 10

-- Bumped by every password change. A session or token is valid only while the version it was issued
-- under equals the user's, so one that is being issued while the password changes is born dead.
ALTER TABLE users ADD COLUMN password_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN password_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN password_version BIGINT NOT NULL DEFAULT 0;

-- The token whose bearer created this one (NULL when a session or the CLI did). A token is valid only
-- while no ancestor is revoked; revoking one also marks every descendant revoked.
ALTER TABLE api_tokens ADD COLUMN parent_id BIGINT REFERENCES api_tokens(id);
CREATE INDEX api_tokens_parent ON api_tokens(parent_id);

-- Sign-in failures are counted per (account, address) as well as per account and per address.
CREATE INDEX login_failures_pair ON login_failures(username, address, at);

-- 0013_auth_epoch: one row whose counter every change to a credential raises (sign-out, token revocation,
-- password change, user update or disabling), in the same transaction as the change. Each process caches
-- what a session or token cookie resolves to, and before a request trusts its cache it reads this row
-- once (src/platform/auth/auth_cache.c): a cached entry read under an older counter is looked up again.
CREATE TABLE auth_epoch (
  id INTEGER PRIMARY KEY,           -- always 1
  n BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

-- 0013_cache_epochs: counters that tell every process when what it caches changed (src/platform/auth/auth_cache.c).
-- Row 1, credentials: raised in the same transaction as every change that ends or alters a session, token or
-- user (sign-out, token revocation, password change, user update or disabling). Row 2, reference data
-- (regions, departments): raised by whatever changes them outside a migration; the cache key also holds
-- the number of migrations applied, so a migration that reseeds them is seen too. Before a request trusts a
-- cached value it reads these rows once, in a read that began after the request arrived.
CREATE TABLE cache_epochs (
  id INTEGER PRIMARY KEY,           -- 1 credentials, 2 reference data
  n BIGINT NOT NULL
);
INSERT INTO cache_epochs (id, n) VALUES (1, 0);
INSERT INTO cache_epochs (id, n) VALUES (2, 0);

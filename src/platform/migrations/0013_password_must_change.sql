-- A password set by an administrator (a reset) must be changed by its user at the next sign-in:
-- until then the user's session may only read itself, change the password or sign out (auth.c).
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

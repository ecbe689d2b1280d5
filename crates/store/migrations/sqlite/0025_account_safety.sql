-- Usernames are case-insensitive: `ADMIN` and `admin` are one account, and sign-in
-- looks them up by their lower-case form through this index.
CREATE UNIQUE INDEX users_username_folded ON users (lower(username));
-- The sign-in throttle counts failures per (username, address).
CREATE INDEX login_failures_username_ip ON login_failures (username, ip, at);

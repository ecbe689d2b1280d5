-- Single sign-on. Sign-ins through an OpenID provider in flight: the hash of the state
-- the browser carries, the nonce the ID token must repeat and the PKCE verifier.
CREATE TABLE sso_pending (
    state_hash TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sso_pending_created ON sso_pending (created_at);

-- What a SCIM directory keeps on an account besides its username and display name.
CREATE TABLE scim_users (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    external_id TEXT,
    email       TEXT
);

-- Saved column mappings of imports (e.g. the IBM HR sample's English headers).
CREATE TABLE import_mappings (
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    mapping    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, name)
);

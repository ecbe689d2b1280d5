-- The resource library (资源库): resources with business tags from controlled
-- vocabularies, tier, origin, the skills and positions they serve, a review workflow
-- whose every status change is kept, published versions that are never overwritten,
-- files per version (bytes in the file store), ratings, moderated comments, usage
-- events, scenario packs and micro-courses. Nothing is deleted: resources retire.

CREATE TABLE tag_vocabularies (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('business_line', 'task_type', 'scenario')),
    value      TEXT NOT NULL,
    -- An entry in use is deactivated instead of deleted: resources keep it, new ones cannot pick it.
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (kind, value)
);

-- The working copy of each resource; what was published is in resource_versions.
CREATE TABLE resources (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('course', 'micro_course', 'document', 'video', 'tool', 'case', 'exam')),
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    tier              TEXT NOT NULL CHECK (tier IN ('core', 'support', 'reserve')),
    origin            TEXT NOT NULL CHECK (origin IN ('internal', 'external')),
    vendor            TEXT,
    owner_user_id     INTEGER REFERENCES users (id),
    estimated_minutes INTEGER NOT NULL CHECK (estimated_minutes BETWEEN 1 AND 600),
    status            TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'published', 'retired')),
    -- The latest published version; 0 before the first publication.
    current_version   INTEGER NOT NULL DEFAULT 0 CHECK (current_version >= 0),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    published_at      TEXT,
    retired_at        TEXT,
    CHECK (origin = 'internal' OR (vendor IS NOT NULL AND vendor <> ''))
);
CREATE INDEX resources_status ON resources (status, kind);
CREATE INDEX resources_owner ON resources (owner_user_id);
-- Newest-first lists and the search index's incremental reads.
CREATE INDEX resources_updated ON resources (updated_at, id);

CREATE TABLE resource_versions (
    id           INTEGER PRIMARY KEY,
    resource_id  INTEGER NOT NULL REFERENCES resources (id),
    version      INTEGER NOT NULL CHECK (version >= 1),
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    -- JSON of kind, tier, origin, vendor, minutes, tags, skills, positions, files and
    -- micro-course parts as published.
    snapshot     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by INTEGER REFERENCES users (id),
    publisher    TEXT NOT NULL,
    UNIQUE (resource_id, version)
);

CREATE TABLE resource_tags (
    resource_id   INTEGER NOT NULL REFERENCES resources (id),
    vocabulary_id INTEGER NOT NULL REFERENCES tag_vocabularies (id),
    PRIMARY KEY (resource_id, vocabulary_id)
);
CREATE INDEX resource_tags_vocabulary ON resource_tags (vocabulary_id);

CREATE TABLE resource_skills (
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    skill_id    INTEGER NOT NULL REFERENCES skills (id),
    level       INTEGER NOT NULL CHECK (level >= 1),
    PRIMARY KEY (resource_id, skill_id)
);
CREATE INDEX resource_skills_skill ON resource_skills (skill_id, level);

CREATE TABLE resource_positions (
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    position_id INTEGER NOT NULL REFERENCES positions (id),
    PRIMARY KEY (resource_id, position_id)
);
CREATE INDEX resource_positions_position ON resource_positions (position_id);

-- Files of a version. The version being prepared is current_version + 1; opening a new
-- version copies the rows (not the bytes: same storage key) of the published one.
CREATE TABLE resource_files (
    id            INTEGER PRIMARY KEY,
    resource_id   INTEGER NOT NULL REFERENCES resources (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    storage_key   TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256        TEXT NOT NULL,
    uploaded_by   INTEGER REFERENCES users (id),
    uploaded_at   TEXT NOT NULL,
    UNIQUE (resource_id, version, storage_key)
);
CREATE INDEX resource_files_key ON resource_files (storage_key);

-- Every status change, with the reviewer's comment.
CREATE TABLE resource_reviews (
    id            INTEGER PRIMARY KEY,
    resource_id   INTEGER NOT NULL REFERENCES resources (id),
    version       INTEGER NOT NULL,
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    actor_user_id INTEGER REFERENCES users (id),
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX resource_reviews_resource ON resource_reviews (resource_id, at);

CREATE TABLE resource_ratings (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    stars       INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    rated_at    TEXT NOT NULL,
    UNIQUE (resource_id, user_id)
);

CREATE TABLE resource_comments (
    id           INTEGER PRIMARY KEY,
    resource_id  INTEGER NOT NULL REFERENCES resources (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('visible', 'hidden', 'pending')),
    moderated_by INTEGER REFERENCES users (id),
    moderated_at TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX resource_comments_resource ON resource_comments (resource_id, status, created_at);
-- The moderation queue.
CREATE INDEX resource_comments_status ON resource_comments (status, created_at);

-- Usage for statistics and the lifecycle report (views and completions per month).
CREATE TABLE resource_events (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    version     INTEGER NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('view', 'complete')),
    at          TEXT NOT NULL
);
-- Per-resource counts, and the report's scan of one time window (both covering).
CREATE INDEX resource_events_resource ON resource_events (resource_id, at, kind);
CREATE INDEX resource_events_at ON resource_events (at, resource_id, kind);
CREATE INDEX resource_events_user ON resource_events (user_id, resource_id);

-- Resources grouped for one step of a business process (场景化资源包).
CREATE TABLE scenario_packs (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    scenario_step TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE scenario_pack_items (
    pack_id     INTEGER NOT NULL REFERENCES scenario_packs (id) ON DELETE CASCADE,
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    position    INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (pack_id, resource_id),
    UNIQUE (pack_id, position)
);
CREATE INDEX scenario_pack_items_resource ON scenario_pack_items (resource_id);

-- The template parts of a micro-course (问题—案例—方法), Markdown rendered without raw HTML.
CREATE TABLE micro_courses (
    resource_id INTEGER PRIMARY KEY REFERENCES resources (id),
    problem     TEXT NOT NULL,
    case_text   TEXT NOT NULL,
    solution    TEXT NOT NULL,
    need_id     INTEGER REFERENCES training_needs (id),
    skill_id    INTEGER REFERENCES skills (id)
);
CREATE INDEX micro_courses_need ON micro_courses (need_id);

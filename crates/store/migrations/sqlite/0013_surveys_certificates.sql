-- Reaction surveys (level 1) on sessions, certificates issued on completion, and the
-- yearly credit requirement of positions.

-- Months a program's certificate stays valid; NULL: it never expires.
ALTER TABLE programs ADD COLUMN certificate_months INTEGER CHECK (certificate_months BETWEEN 1 AND 240);
-- Credits (学分) a holder of the position should earn each calendar year; NULL: none set.
ALTER TABLE positions ADD COLUMN annual_credits REAL CHECK (annual_credits >= 0);

CREATE TABLE survey_templates (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    -- JSON array of questions: {"text", "kind": rating|choice|text, "dimension", "options"}.
    questions  TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One survey per session. The questions are copied from the template when the survey
-- is attached, so later template edits do not change what was asked.
CREATE TABLE surveys (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL UNIQUE REFERENCES training_sessions (id),
    template_id INTEGER NOT NULL REFERENCES survey_templates (id),
    title       TEXT NOT NULL,
    questions   TEXT NOT NULL,
    anonymous   BOOLEAN NOT NULL DEFAULT 0,
    opens_at    TEXT NOT NULL,
    closes_at   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (closes_at > opens_at)
);

-- Who answered (once per survey), kept apart from what was answered. No surrogate id,
-- no time and no row order (WITHOUT ROWID keeps rows in key order), so a respondent
-- cannot be matched to an anonymous response by sequence or time.
CREATE TABLE survey_respondents (
    survey_id   INTEGER NOT NULL REFERENCES surveys (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    PRIMARY KEY (survey_id, employee_id)
) WITHOUT ROWID;
CREATE INDEX survey_respondents_employee ON survey_respondents (employee_id);

-- What was answered. The id is random (not a sequence); employee_id and submitted_at
-- are set only on surveys that are not anonymous.
CREATE TABLE survey_responses (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES surveys (id),
    employee_id  INTEGER REFERENCES employees (id),
    submitted_at TEXT
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id);

CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses (id),
    -- Position of the question in the survey's list, from 0.
    question    INTEGER NOT NULL CHECK (question >= 0),
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    choice      TEXT,
    text        TEXT,
    PRIMARY KEY (response_id, question)
);

CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY,
    -- SB-2026-000123.
    number        TEXT NOT NULL UNIQUE,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    employee_id   INTEGER NOT NULL REFERENCES employees (id),
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    issued_on     TEXT NOT NULL,
    -- NULL: never expires. Expired is computed from this date, not stored.
    expires_on    TEXT,
    -- Random token of the public verification page.
    token         TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_at    TEXT,
    revoke_reason TEXT,
    created_at    TEXT NOT NULL,
    CHECK (expires_on IS NULL OR expires_on > issued_on)
);
-- At most one valid certificate per enrolment; a revoked one may be replaced.
CREATE UNIQUE INDEX certificates_valid_enrollment ON certificates (enrollment_id) WHERE status = 'valid';
CREATE INDEX certificates_employee ON certificates (employee_id);
CREATE INDEX certificates_expiry ON certificates (expires_on) WHERE status = 'valid';

-- The default reaction survey (一级评估).
INSERT INTO survey_templates (code, title, questions, created_at, updated_at)
VALUES ('REACTION-STD', '培训反应评估（标准）', '[{"text":"课程内容","kind":"rating","dimension":"content"},{"text":"讲师表现","kind":"rating","dimension":"instructor"},{"text":"组织安排","kind":"rating","dimension":"organisation"},{"text":"对工作的帮助","kind":"rating","dimension":"usefulness"},{"text":"您会向同事推荐这门课程吗？","kind":"choice","options":["会","不确定","不会"]},{"text":"建议","kind":"text"}]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');

-- Person tags (个人标签): the duties and projects an employee has, for targeting and search.
CREATE TABLE person_tags (
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    kind        TEXT NOT NULL CHECK (kind IN ('duty', 'project')),
    value       TEXT NOT NULL,
    PRIMARY KEY (employee_id, kind, value)
);
CREATE INDEX person_tags_value ON person_tags (kind, value);

-- Value proof (level 4 and ROI): what one unit of a KPI is worth, what an hour of a
-- position's time costs, and the effect estimates that have been run.

-- Yuan per unit of the KPI per person and month (e.g. per point of defect rate).
ALTER TABLE kpis ADD COLUMN unit_value REAL CHECK (unit_value >= 0);
-- Fully loaded cost of one working hour, for the participants' time in ROI.
ALTER TABLE positions ADD COLUMN hourly_cost REAL CHECK (hourly_cost >= 0);

CREATE TABLE effect_runs (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    kpi_id        INTEGER NOT NULL REFERENCES kpis (id),
    pre_months    INTEGER NOT NULL,
    post_months   INTEGER NOT NULL,
    effect        REAL NOT NULL,
    ci_low        REAL NOT NULL,
    ci_high       REAL NOT NULL,
    n_trained     INTEGER NOT NULL,
    n_comparison  INTEGER NOT NULL,
    -- The whole result as JSON, as the API returns it.
    result        TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX effect_runs_program ON effect_runs (program_id, kpi_id, created_at);

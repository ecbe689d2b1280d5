-- Most KPI figures come from the business systems. The value-proof panel reads those by
-- range and keeps an imported or HR figure only where no better one exists; this index
-- finds the few non-business figures without reading the business ones.
CREATE INDEX kpi_values_secondary ON kpi_values (kpi_id, period) WHERE source <> 'business';

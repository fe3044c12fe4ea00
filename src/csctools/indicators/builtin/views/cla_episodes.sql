-- Episodes of care in the period, without those under an agreed series of short-term placements (V3, V4): the
-- DfE excludes short breaks from every children-looked-after figure.
SELECT e.*
FROM ssda903.Episodes e, period p
WHERE e.DECOM <= p.period_end
  AND (e.DEC IS NULL OR e.DEC >= p.period_start)
  AND coalesce(e.LS, '') NOT IN ('V3', 'V4')

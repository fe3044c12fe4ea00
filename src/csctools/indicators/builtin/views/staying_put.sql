-- Care leavers aged 18 to 20 at the end of the period who ceased to be looked after on their 18th birthday from a
-- foster placement (U1-U6), as the episodes of this year's and last year's returns show that last episode: the
-- 19-year-olds left care in last year's return, so the figure needs it (--previous); those aged 20 left two years
-- before, in episodes neither return holds. Short breaks (V3, V4) are not
-- episodes of care. Without those who have died or returned home to parents for at least 6 months (IN_TOUCH DIED,
-- RHOM).
WITH episodes AS (
    SELECT CHILD, DECOM, DEC, PLACE FROM cla_episodes
    UNION ALL
    SELECT CHILD, DECOM, DEC, PLACE FROM earlier_ssda903.Episodes WHERE coalesce(LS, '') NOT IN ('V3', 'V4')
)
SELECT o.CHILD, o.ACCOM, date_sub('year', o.DOB, p.period_end) AS age
FROM ssda903.OC3 o
CROSS JOIN period p
JOIN episodes e ON e.CHILD = o.CHILD AND e.DEC = o.DOB + INTERVAL 18 YEAR
WHERE date_sub('year', o.DOB, p.period_end) BETWEEN 18 AND 20
  AND e.PLACE IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
  AND coalesce(o.IN_TOUCH, '') NOT IN ('DIED', 'RHOM')
QUALIFY row_number() OVER (PARTITION BY o.CHILD ORDER BY e.DECOM DESC) = 1

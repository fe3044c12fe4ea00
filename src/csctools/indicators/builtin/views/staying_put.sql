-- Care leavers aged 18 to 20 at the end of the period (18th, 19th or 20th birthday in it) who ceased to be looked
-- after on their 18th birthday from a foster placement (U1-U6), as far as the episodes given show that last
-- episode: a return holds the episodes open in its year, so this year's return shows the 18-year-olds. Without
-- those who have died or returned home to parents for at least 6 months (IN_TOUCH DIED, RHOM).
SELECT o.CHILD, o.ACCOM, date_sub('year', o.DOB, p.period_end) AS age
FROM ssda903.OC3 o
CROSS JOIN period p
JOIN cla_episodes e ON e.CHILD = o.CHILD AND e.DEC = o.DOB + INTERVAL 18 YEAR
WHERE date_sub('year', o.DOB, p.period_end) BETWEEN 18 AND 20
  AND e.PLACE IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
  AND coalesce(o.IN_TOUCH, '') NOT IN ('DIED', 'RHOM')
QUALIFY row_number() OVER (PARTITION BY o.CHILD ORDER BY e.DECOM DESC) = 1

-- Former relevant young people whose 19th, 20th or 21st birthday falls in the period (age 19-21 at its end),
-- without those who have died or returned home to parents for at least 6 months (IN_TOUCH DIED, RHOM).
SELECT o.CHILD, o.IN_TOUCH, o.ACTIV, o.ACCOM, date_sub('year', o.DOB, p.period_end) AS age
FROM ssda903.OC3 o, period p
WHERE date_sub('year', o.DOB, p.period_end) BETWEEN 19 AND 21
  AND coalesce(o.IN_TOUCH, '') NOT IN ('DIED', 'RHOM')

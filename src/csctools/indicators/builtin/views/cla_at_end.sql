-- Children looked after at the end of the period (31 March): one row per child, their episode open that day.
-- An episode that ceased on the last day does not count (the child ceased to be looked after that day).
SELECT e.CHILD, e.DECOM, e.RNE, e.LS, e.CIN, e.PLACE, e.PLACE_PROVIDER, h.DOB,
       date_sub('year', h.DOB, p.period_end) AS age
FROM cla_episodes e
CROSS JOIN period p
LEFT JOIN ssda903.Header h ON h.CHILD = e.CHILD
WHERE e.DECOM <= p.period_end AND (e.DEC IS NULL OR e.DEC > p.period_end)
QUALIFY row_number() OVER (PARTITION BY e.CHILD ORDER BY e.DECOM DESC) = 1

-- Child protection plans open at the end of the period.
SELECT c.*
FROM cin.ChildProtectionPlans c, period p
WHERE c.CPPstartDate <= p.period_end AND (c.CPPendDate IS NULL OR c.CPPendDate > p.period_end)

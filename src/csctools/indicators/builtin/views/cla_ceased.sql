-- Children who ceased to be looked after in the period: the last occasion in the period on which each child
-- ceased (an episode with a reason ceased other than X1, "episode ceases and new episode begins").
SELECT CHILD, DEC, REC, PLACE
FROM cla_episodes, period p
WHERE DEC BETWEEN p.period_start AND p.period_end AND REC IS NOT NULL AND REC <> 'X1'
QUALIFY row_number() OVER (PARTITION BY CHILD ORDER BY DEC DESC) = 1

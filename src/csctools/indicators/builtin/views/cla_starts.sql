-- Children who started to be looked after in the period: an episode whose reason for new episode is S (started
-- to be looked after), short breaks excluded. A child who started more than once is counted once.
SELECT CHILD, min(DECOM) AS DECOM
FROM cla_episodes, period p
WHERE RNE = 'S' AND DECOM BETWEEN p.period_start AND p.period_end
GROUP BY CHILD

-- Children looked after at any time in the period (short breaks excluded): one row per child.
SELECT DISTINCT CHILD FROM cla_episodes

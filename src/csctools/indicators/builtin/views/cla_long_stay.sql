-- Children looked after at the end of the period aged under 16, with the start of their period of care and of
-- their placement, from every episode this year's and last year's SSDA903 hold (ssda903.EpisodeHistory; short
-- breaks V3, V4 are not care). A period of care starts with an episode whose reason is S, or after a gap between
-- episodes; where the returns hold no such start (care began before last year's return, or before this year's
-- when last year's is not given), it is taken as the earliest episode they hold: care began then or before, so
-- the stay may be longer than it is counted (care_start_known false). A placement starts with the period of care
-- or with a later episode whose reason is not L (legal status only), except that a temporary placement (T0-T4)
-- and the return from it to the usual placement do not start one, nor does a placement for adoption (A3-A6): its
-- time counts together with the placement before it, as the DfE's definition says.
WITH episodes AS (
    SELECT h.CHILD, h.DECOM, h.RNE, h.PLACE,
           row_number() OVER w = 1 AS earliest,
           lag(h.DEC) OVER w AS previous_dec,
           lag(h.PLACE) OVER w AS previous_place
    FROM ssda903.EpisodeHistory h, period p
    WHERE h.DECOM <= p.period_end
      AND coalesce(h.LS, '') NOT IN ('V3', 'V4')
      AND h.CHILD IN (SELECT CHILD FROM cla_at_end WHERE age < 16)
    WINDOW w AS (PARTITION BY h.CHILD ORDER BY h.DECOM)
),
care AS (
    SELECT CHILD,
           max(DECOM) FILTER (WHERE RNE = 'S' OR earliest OR previous_dec < DECOM) AS care_start,
           max(DECOM) FILTER (WHERE RNE = 'S' OR previous_dec < DECOM) AS known_start
    FROM episodes
    GROUP BY CHILD
),
placements AS (
    SELECT e.CHILD, max(e.DECOM) AS placement_start
    FROM episodes e
    JOIN care c ON c.CHILD = e.CHILD
    WHERE e.DECOM >= c.care_start
      AND (e.DECOM = c.care_start OR e.RNE <> 'L')
      AND coalesce(e.PLACE, '') NOT IN ('A3', 'A4', 'A5', 'A6', 'T0', 'T1', 'T2', 'T3', 'T4')
      AND coalesce(e.previous_place, '') NOT IN ('T0', 'T1', 'T2', 'T3', 'T4')
    GROUP BY e.CHILD
)
SELECT c.CHILD, c.care_start, coalesce(pl.placement_start, c.care_start) AS placement_start,
       c.known_start IS NOT NULL AND c.known_start = c.care_start AS care_start_known
FROM care c
LEFT JOIN placements pl ON pl.CHILD = c.CHILD

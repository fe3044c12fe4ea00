-- CIN episodes that closed in the period, without referrals that ended in no further action.
SELECT d.*
FROM cin.CINdetails d, period p
WHERE d.CINclosureDate BETWEEN p.period_start AND p.period_end
  AND NOT coalesce(d.ReferralNFA, false)

-- CIN episodes open at the end of the period, without referrals that ended in no further action.
SELECT d.*
FROM cin.CINdetails d, period p
WHERE d.CINreferralDate <= p.period_end
  AND (d.CINclosureDate IS NULL OR d.CINclosureDate > p.period_end)
  AND NOT coalesce(d.ReferralNFA, false)

-- Referrals (CIN episodes) starting in the period: one row per referral, a child referred twice counts twice.
SELECT d.*
FROM cin.CINdetails d, period p
WHERE d.CINreferralDate BETWEEN p.period_start AND p.period_end

"""The shape of England's returns that the generator draws from, in one place.

Each distribution is named after the DfE LAIT measure (England, 2024/25) it is drawn to match; where LAIT publishes
only part of a distribution, the rest is a rough split and says so. docs/indicators.md ("Synthetic returns against
England") sets the values measured on generated returns beside these figures.
"""

from __future__ import annotations

# --- CIN census -------------------------------------------------------------------------------------------------

# ReferralSource. LAIT: RefBySource_Police_% 28.3 (6), RefBySource_Schl_% 20.6 (2A), RefBySource_HealthServ_% 15.2
# (3A-3F). The other 35.9% is spread over the remaining sources by a rough split (not a LAIT figure).
REFERRAL_SOURCES = {
    "6": 28.3,
    "2A": 20.6,
    "3A": 2.5,
    "3B": 2.0,
    "3C": 0.5,
    "3D": 1.7,
    "3E": 4.5,
    "3F": 4.0,
    "1A": 5.0,
    "1B": 1.5,
    "1C": 1.0,
    "1D": 0.5,
    "2B": 1.5,
    "4": 1.5,
    "5A": 7.0,
    "5B": 1.5,
    "5C": 2.0,
    "5D": 2.5,
    "7": 2.5,
    "8": 4.5,
    "9": 2.4,
    "10": 2.5,
}

# CIN_Refferals_NFA 6.5: referrals with no further action.
REFERRAL_NFA = 0.065

# Continue_Assess_Comp 85.7: assessments authorised within 45 working days of their start.
ASSESSMENT_IN_TIME = 0.857
ASSESSMENT_WORKING_DAYS = (5, 45)  # in time
ASSESSMENT_LATE_WORKING_DAYS = (46, 90)

# ReReferral 22.6: referrals within 12 months of a previous one. The indicator sees only earlier referrals in the
# census (episodes open in the year), so more children come back than 22.6%, and most of them soon.
REFERRED_AGAIN = 0.6  # after an episode closes, the child is referred again
REFERRED_AGAIN_SOON = 0.85  # ... soon (20-200 days after the closure), else 1-3 years later
REFERRED_AGAIN_SOON_DAYS = (20, 200)

# CINTime2more 35.6 (open at 31 March for 2 years or more), CINCease2more 10.1 (closed after 2 years or more):
# most child in need plans are short (CINTime3months 26.7, CINTime6-1 13.1), but
# a few children in need (disabled children, long child in need plans) keep an open episode for years.
LONG_EPISODE = 0.13  # of referrals that are assessed
PLAN_DAYS = (60, 330)  # the other plans
LONG_EPISODE_DAYS = (900, 4000)
LONG_EPISODE_HISTORY_YEARS = 11  # such episodes are simulated from this many years before the first year

# PrevRegCPR 24.5: child protection plans that are a second or later plan for the child.
PREVIOUS_PLAN = 0.25

# --- SSDA903 ----------------------------------------------------------------------------------------------------

# Unacc_Asylmn_Seek_Childn% 8 of children looked after at 31 March, UASC_%_Starting 22 of those starting (many move
# on to another authority soon, which the generator does not simulate): a share of entries between the two.
UASC_AT_ENTRY = 0.1

# LAC_ceased_SGO% 12: children leaving care on a special guardianship order (E45, E46), of all who leave. A medium
# or long period of care that does not end at 18 ends with one of these, or a return home.
PERMANENCE_ENDS = {"E45": 6, "E46": 2, "E41": 1.5}
RETURN_HOME = {"E4A": 6, "E13": 2}

# Placements drawn at entry and at each move, by age, weighted so that the children looked after at 31 March are
# placed as England's: LAC_Foster_Placements 67 (U1-U6), LAC_SecHome_And_ChildHome 12 (K1, K2),
# LAC_Ind_SInd_Liv_Arr 9 (K3, supported accommodation), LAC_Parents_OR_Others 6 (P1); R1 (residential care) a few.
PLACEMENTS_UNDER_10 = {"U1": 2, "U2": 1, "U3": 1, "U4": 5, "U5": 3, "U6": 1, "P1": 2.0}
PLACEMENTS_10_15 = {"U1": 1, "U2": 1, "U4": 4, "U5": 2, "U6": 1, "K2": 4, "R1": 0.3, "P1": 1.2}
PLACEMENTS_16_17 = {"U4": 3, "U5": 2, "U6": 1, "K2": 2, "K3": 8, "P1": 0.3}
# About a quarter of children looked after are 16 or 17: most of those who stay in care past 16 move on to
# supported accommodation.
MOVE_ON_AT_SIXTEEN = 0.8  # of children looked after on their 16th birthday (3-18 months after it)
# LAC_LongStable% 69 (of children in care 2.5 years, in the same placement for the last 2) beside LACStable_2016on 10
# (three or more placements in the year): moves come early in a stay and do not grow without end with its length.
# A stay has exponentially many moves, with mean its length (at most UNSETTLED_DAYS) / DAYS_PER_MOVE, at most 8; a
# move's day is the stay's length times u**MOVE_TIMING_POWER (u uniform), so half fall in its first quarter.
# Seeds 1-3 of Leeds give 65.9 / 69.8 / 68.8% and 10.1 / 9.9 / 10.9% (bench/synth_england.py).
MOVE_TIMING_POWER = 2.0
DAYS_PER_MOVE = 250
UNSETTLED_DAYS = 730

# Care leavers aged 19-21 (OC3). LAIT: CareLeaverEET 54, CareLeaversNEET 40, CareLeavers_LA_NotInTouch 4.
IN_TOUCH = {"YES": 94, "NO": 4, "REFU": 1, "NREQ": 0.5, "RHOM": 0.5}
# Within those in touch (94%): in education, employment or training 54/94, not 40/94.
ACTIVITY = {"F1": 7, "P1": 1, "F2": 14, "P2": 3, "F4": 20, "P4": 9, "G4": 11, "G5": 24, "G6": 5}
# CareLeaverAcc 89 (of all care leavers): in suitable accommodation, of those in touch.
SUITABLE_ACCOMMODATION = 0.97
# LACSubstance 3 (of children looked after for 12 months): substance misuse, among those aged 11 or more.
SUBSTANCE_MISUSE = 0.065
# StayingPut 33 (of care leavers aged 19 or 20 who left a foster placement on their 18th birthday, living with their
# former foster carers): about 55% of those leaving foster care at 18 stay on with their carers (REC E17), and 60% of
# those are still there around their 19th and 20th birthdays (OC3 ACCOM Z1): 0.55 x 0.6 = 0.33.
STAYING_PUT_AT_18 = 0.55
STILL_STAYING_PUT = 0.6

"""Invented but realistic text for the demo returns: evidence, actions, leads, profiles.

Everything here is made up for the demo. Leads are roles, never real people; team and
document names are generic NHS wording.
"""

from __future__ import annotations

SECTOR_BASE = {
    "Acute": 1.5,
    "Community": 1.9,
    "Mental health": 2.0,
    "Primary care": 2.1,
    "Place": 1.7,
    "Social care": 2.3,
}
"""Typical starting maturity by sector (0-4); each service varies around it."""

COMPONENT_OFFSET = {
    # component id → sector → offset from the service's base
    "SDM": {"Acute": 0.3, "Mental health": 0.2, "Social care": -0.2},
    "PCSP": {"Primary care": 0.3, "Mental health": 0.5, "Social care": 0.4, "Acute": -0.3},
    "SP": {"Primary care": 0.9, "Place": 0.5, "Acute": -0.7, "Social care": 0.3},
    "SSM": {"Community": 0.5, "Primary care": 0.3, "Acute": -0.1},
    "PHB": {"Social care": 1.0, "Acute": -0.9, "Primary care": -0.4, "Community": -0.2},
}

PHB_NOT_APPLICABLE = (
    "Cardiology",
    "Outpatients",
    "Oncology",
    "Renal",
    "Orthopaedics",
    "Cancer",
    "Clinical Pharmacists",
    "Physiotherapy",
    "Talking Therapies",
    "Musculoskeletal",
)
"""Services (by words in their name) where personal health budgets are usually not theirs
to offer, so leads often answer Not applicable."""

NOT_APPLICABLE_REASONS = {
    "PHB": [
        "PHBs are not offered through this service; eligible patients are referred to the "
        "CHC team.",
        "Not applicable – personal health budgets are managed by the ICB, not by the service.",
        "Our patients are not in the PHB eligible cohorts; we signpost where relevant.",
    ],
    "SP": [
        "Social prescribing is delivered by the PCN link workers; we refer in rather than provide.",
        "Not a hospital service, so the discharge pathway does not apply.",
    ],
    "default": [
        "Does not apply to this service's model of care.",
        "Not applicable: the service has no inpatient or discharge element.",
        "Covered by the Trust-wide policy rather than at service level.",
    ],
}

EVIDENCE = {
    "SDM": [
        "{n} staff completed the PCI shared decision making e-learning this year.",
        "SDM is on the agenda of the monthly governance meeting; audit of {n} records "
        "shows options discussed and documented.",
        "It's OK to Ask posters in all clinic rooms and waiting areas; leaflets at reception.",
        "Clinical lead and a patient partner co-chair the SDM working group.",
        "Induction pack includes SDM and teach-back; new starters sign off within 3 months.",
        "CollaboRATE survey run in {month}: {pct}% of patients felt involved.",
        "Decision aids in use for the two most common treatment choices.",
        "Reflective practice session on SDM held in {month}; {n} attended.",
        "Some clinicians practise SDM well; not yet consistent across the team.",
        "Managers' webinar attended by the service manager and two band 7s.",
    ],
    "PCSP": [
        "Personalised care and support plans used for patients with long-term conditions; "
        "audit of {n} plans in {month}.",
        "Care plans written with the person and shared with them and their GP.",
        "Template on the clinical system includes 'what matters to me'.",
        "{pct}% of plans reviewed within the agreed timescale.",
        "Staff trained in care and support planning through the PCI module.",
        "Plans are in place for some patients, mostly complex cases; not yet routine.",
    ],
    "SP": [
        "Referral pathway to the PCN social prescribing link workers agreed in {month}.",
        "{n} referrals to social prescribing in the last quarter.",
        "Link worker attends the weekly MDT.",
        "Staff know about the hospital social prescribing service; referral form on the intranet.",
        "Directory of local community groups shared with the team.",
    ],
    "SSM": [
        "Health coaching offered to patients after their first appointment.",
        "Self-management education groups run every {weeks} weeks.",
        "Patient information co-produced with the patient panel in {month}.",
        "Digital self-management app offered to suitable patients; uptake {pct}%.",
        "Peer support group facilitated by a volunteer with lived experience.",
    ],
    "PHB": [
        "PHB offer explained to eligible people at review; {n} budgets in place.",
        "Staff aware PHBs can be flexible; examples shared at the team meeting.",
        "Direct payments support service commissioned; {n} people supported this year.",
        "Working with the ICB PHB team on a wheelchair budget pathway.",
    ],
}

WEAK_EVIDENCE = [
    "Not started yet – on the plan for next year.",
    "Discussed at team meeting; no work under way yet.",
    "Unsure – to check with the clinical lead.",
    "Happens informally in places.",
    "",
]

ACTIONS = {
    "SDM": [
        "Book the team onto the PCI shared decision making e-learning and track completion.",
        "Add SDM and teach-back to the local induction checklist.",
        "Run an It's OK to Ask campaign in clinics with posters and leaflets.",
        "Nominate a Personalised Care Champion for the directorate.",
        "Include SDM in the annual clinical audit programme with peer review.",
        "Pilot the CollaboRATE measure in two clinics and report results to governance.",
        "Hold a reflective practice workshop on SDM conversations.",
        "Put personalised care on the standing agenda of team meetings.",
    ],
    "PCSP": [
        "Introduce the 'what matters to me' template on the clinical system.",
        "Audit 20 care and support plans against the criteria for a great plan.",
        "Train band 5 and 6 staff in personalised care and support planning.",
        "Agree how plans are shared with the person and their GP.",
    ],
    "SP": [
        "Agree a referral route to the PCN social prescribing link workers.",
        "Invite the link worker to the MDT once a month.",
        "Promote the hospital social prescribing service to ward staff.",
        "Share the directory of community groups with the whole team.",
    ],
    "SSM": [
        "Scope health coaching training for two staff.",
        "Co-produce patient information with the patient panel.",
        "Offer the digital self-management app to suitable patients.",
        "Set up a peer support group with the voluntary sector partner.",
    ],
    "PHB": [
        "Brief the team on PHB eligibility and the local offer.",
        "Meet the ICB PHB team to agree a referral route.",
        "Share case studies showing how flexible PHBs can be.",
    ],
}

LEADS = [
    "Service manager",
    "Clinical lead",
    "Matron",
    "Ward manager",
    "Team leader",
    "Lead nurse",
    "Practice manager",
    "Quality improvement lead",
    "Personalised Care Champion",
    "Head of therapies",
    "Operational lead",
    "Social prescribing lead",
    "Patient experience lead",
    "Education lead",
]

ROLES = [
    "Service manager",
    "Clinical lead",
    "Team leader",
    "Matron",
    "Operational lead",
    "Practice manager",
    "Head of service",
]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

MESSY_EVIDENCE = [
    "=see audit in shared drive",
    "+ 12 staff trained since April",
    "- included in induction pack (see attached)",
    "@Matron to confirm numbers",
    "=AVERAGE of audit scores 78%",
]
"""Evidence as people type it: text that a spreadsheet would take for a formula."""

UNREADABLE_DATES = ["end of Q2", "TBC", "ASAP", "next quarter"]
"""Dates as people sometimes type them, which no reader can turn into a date."""

MESSY_STATUSES = ["done", "ongoing", "On hold", "in progress", "COMPLETE", "started"]

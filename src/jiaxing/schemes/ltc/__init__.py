"""长期护理保险（嘉政发〔2022〕21号）— long-term care insurance as a service.

Two halves, one scheme:

* intake — the insured roster and its funding, proactive discovery (要我申请), applications and
  the three-step double-blind disability assessment (``intake_*`` modules and their packages);
* the care — beneficiaries, providers, caregivers, the dated service catalogue, care plans, visits,
  the violation rule library, monthly settlement on the ledger and ratings (``care_*`` modules and
  their packages).

``models`` holds the tables both halves read (the insured, hospital stays, beneficiaries); each half
keeps its own tables in its own package. ``api``, ``cli`` and ``pages`` gather the halves' routers,
commands and pages for the pack.
"""

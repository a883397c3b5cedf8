"""What the pathways app tells other apps, through the transactional outbox (decision 0036).

- ``PATHWAY_COMPLETED`` = ``"pathways.completed"``: ``{"award": pk}``, a learner met every requirement of
  a pathway and holds its stacked credential (once per pathway and learner, emitted with the award's
  row). The ``pathway.completed`` webhook consumes it.
"""

PATHWAY_COMPLETED = "pathways.completed"

"""What the learning app tells other apps, through the transactional outbox (decision 0036).

- ``ENROLMENT_COMPLETED`` = ``"learning.enrolment_completed"``: ``{"enrolment": pk}``, a learner finished
  every lesson and quiz of a course (once per enrolment, emitted with the award's link, so consumers see
  the credential). LTI grade return and the ``course.completed`` webhook consume it.
"""

ENROLMENT_COMPLETED = "learning.enrolment_completed"

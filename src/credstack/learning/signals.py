"""Signals of the learning app, sent after commit.

- ``enrolment_completed(enrolment)``: a learner finished every lesson and quiz of a course (sent once per
  enrolment). LTI grade return and the ``course.completed`` webhook listen to it.
"""

from django.dispatch import Signal

enrolment_completed = Signal()

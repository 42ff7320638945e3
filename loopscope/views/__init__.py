"""Precomputed view data for the templates: frozen records, Markdown already rendered."""

from loopscope.views.common import (
    MODE_LABELS,
    LearnerState,
    LessonContext,
    LessonHeader,
    Resume,
    lesson_header,
    resume,
)
from loopscope.views.modes import MODE_VIEWS, DeepView, ModeView, RecallView, step_of_prompt

__all__ = [
    "MODE_LABELS",
    "MODE_VIEWS",
    "DeepView",
    "LearnerState",
    "LessonContext",
    "LessonHeader",
    "ModeView",
    "RecallView",
    "Resume",
    "lesson_header",
    "resume",
    "step_of_prompt",
]

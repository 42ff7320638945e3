"""What can go wrong with a lesson, each message naming the file and the key.

    LessonError
     ├── LessonFileError         a lesson file is missing or is not valid YAML / front matter
     ├── LessonValidationError   values break the schema or a cross-reference (one or more problems)
     ├── UnknownItem             a prompt, myth or question id the lesson does not have
     └── UnknownOption           an answer naming no option of its question

Files are named relative to the content root (``async-http-client-calls/deep.yaml``) and keys as
dotted paths with 0-based indexes (``steps.2.level``), so every message reads like

    async-http-client-calls/deep.yaml: steps.2.level: Input should be 'Foundation', ... (line 40)
"""

from __future__ import annotations

from dataclasses import dataclass


class LessonError(Exception):
    """Base class of every error the ``lessons`` package raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one lesson file; ``key`` is empty when the whole file is meant."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        at_line = f" (line {self.line})" if self.line is not None else ""
        return f"{where}: {self.message}{at_line}"


class LessonFileError(LessonError):
    """A lesson file is missing, unreadable or not parseable.

    >>> str(LessonFileError("demo/deep.yaml", "mapping values are not allowed here", line=12))
    'demo/deep.yaml:12: mapping values are not allowed here'
    """

    def __init__(self, file: str, message: str, *, line: int | None = None) -> None:
        self.file = file
        self.message = message
        self.line = line
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class LessonValidationError(LessonError):
    """One or more values of a lesson are wrong; one line per problem."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("a LessonValidationError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def key(self) -> str:
        return self.problems[0].key


class UnknownItem(LessonError):
    """A lookup by id found nothing; the web layer answers 422."""

    def __init__(self, kind: str, item_id: str, *, lesson: str | None = None) -> None:
        self.kind = kind
        self.item_id = item_id
        self.lesson = lesson
        where = f"lesson {lesson!r}" if lesson is not None else "this quiz"
        super().__init__(f"{where} has no {kind} {item_id!r}")


class UnknownOption(LessonError):
    """An answer names an option its question does not have."""

    def __init__(self, question_id: str, option_id: str, known: tuple[str, ...]) -> None:
        self.question_id = question_id
        self.option_id = option_id
        self.known = known
        super().__init__(
            f"question {question_id!r} has no option {option_id!r} (options: {', '.join(known)})"
        )

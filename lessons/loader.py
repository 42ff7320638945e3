"""Loading lesson folders into validated, frozen ``Lesson`` records.

Loading is all or nothing: a lesson with any problem raises a ``LessonError`` that lists every
problem found, one line each, naming the file and the key. The app loads the catalog at start-up,
so a broken lesson stops it with that message instead of failing on some page later.

>>> catalog = load_catalog()  # doctest: +SKIP
>>> catalog.get("async-http-client-calls").meta.title  # doctest: +SKIP
'Async HTTP client calls in FastAPI'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from lessons.course import Course, load_course
from lessons.crossref import check_references
from lessons.documents import Document, read_front_matter, read_yaml
from lessons.errors import LessonFileError, LessonValidationError, Problem
from lessons.models import (
    ChallengeMode,
    DeepMode,
    LearnFrontMatter,
    LearnMode,
    Lesson,
    LessonMeta,
    Model,
    PerfMode,
    ProjectMode,
    RecallMode,
    TryMode,
    VisualMode,
    WhyMode,
)
from lessons.walk import LESSON_FILES, dotted

CONTENT_ROOT: Final = Path(__file__).resolve().parent / "content"

# Lesson field -> the model its YAML file validates against (learn.md is handled apart).
_YAML_MODELS: Final[dict[str, type[Model]]] = {
    "meta": LessonMeta,
    "why": WhyMode,
    "deep": DeepMode,
    "visual": VisualMode,
    "try_": TryMode,
    "challenge": ChallengeMode,
    "project": ProjectMode,
    "recall": RecallMode,
    "perf": PerfMode,
}


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every lesson under the content root, ordered by slug, and the course they belong to
    (``lessons/content/course.yaml``; without it, the lessons by slug)."""

    lessons: tuple[Lesson, ...]
    course: Course | None = None

    def get(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


def load_catalog(root: Path = CONTENT_ROOT) -> Catalog:
    """Load every lesson folder under ``root``, skipping names that start with ``.`` or ``_``."""
    if not root.is_dir():
        raise LessonFileError(str(root), "the lesson content folder is missing")
    folders = sorted(
        path for path in root.iterdir() if path.is_dir() and not path.name.startswith((".", "_"))
    )
    lessons = tuple(load_lesson(folder) for folder in folders)
    return Catalog(lessons, load_course(root, lessons))


def load_lesson(folder: Path) -> Lesson:
    """Load and validate one lesson folder; raise ``LessonError`` naming file and key."""
    documents, learn_body = _read_documents(folder)
    problems: list[Problem] = []
    parts: dict[str, Model] = {}
    for field, document in documents.items():
        model = LearnFrontMatter if field == "learn" else _YAML_MODELS[field]
        try:
            parts[field] = model.model_validate(document.data)
        except ValidationError as exc:
            problems.extend(_problems(document, exc))
    if problems:
        raise LessonValidationError(tuple(problems))

    meta, front = parts["meta"], parts.pop("learn")
    assert isinstance(meta, LessonMeta)
    assert isinstance(front, LearnFrontMatter)
    sources, problems = _read_sources(folder, meta, documents["meta"])
    learn = LearnMode(title=front.title, body=learn_body, evidence=front.evidence)
    lesson = Lesson.model_validate({**parts, "learn": learn, "sources": sources})
    by_file = {document.label.rsplit("/", 1)[-1]: document for document in documents.values()}
    for finding in check_references(lesson, folder):
        document = by_file[finding.file]
        problems.append(
            Problem(
                document.label,
                dotted(finding.path),
                finding.message,
                document.line_of(finding.path),
            )
        )
    if problems:
        raise LessonValidationError(tuple(problems))
    return lesson


def _read_documents(folder: Path) -> tuple[dict[str, Document], str]:
    """Every file of the lesson parsed (Lesson field -> Document), and the Markdown of learn.md."""
    if not folder.is_dir():
        raise LessonFileError(folder.name, "the lesson folder is missing")
    documents: dict[str, Document] = {}
    body = ""
    for field, file in LESSON_FILES.items():
        label = f"{folder.name}/{file}"
        if field == "learn":
            documents[field], body = read_front_matter(folder / file, label)
        else:
            documents[field] = read_yaml(folder / file, label)
    return documents, body


def _read_sources(
    folder: Path, meta: LessonMeta, document: Document
) -> tuple[dict[str, str], list[Problem]]:
    """The source text of every registered example, and the problems of missing or broken files."""
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for name, example in meta.examples.items():
        path = ("examples", name, "file")
        try:
            source = (folder / example.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else str(exc)
            problems.append(
                Problem(
                    document.label,
                    dotted(path),
                    f"{reason}: {example.file}",
                    document.line_of(path),
                )
            )
            continue
        sources[name] = source
        if not example.runnable:
            continue  # a fragment shown on purpose may well not compile
        for code, filename, mode, key in (
            (source, example.file, "exec", "file"),
            (example.call, "<call>", "eval", "call"),
        ):
            try:
                compile(code, filename, mode, dont_inherit=True)
            except SyntaxError as exc:
                path = ("examples", name, key)
                at = f"{example.file}:{exc.lineno}: " if key == "file" else f"{code!r}: "
                problems.append(
                    Problem(
                        document.label,
                        dotted(path),
                        f"{at}SyntaxError: {exc.msg}",
                        document.line_of(path),
                    )
                )
    return sources, problems


def _problems(document: Document, error: ValidationError) -> list[Problem]:
    errors = error.errors(include_url=False)
    problems = []
    for item in errors:
        if item["type"] == "too_short" and _has_inner_error(item["loc"], errors):
            continue  # pydantic also calls a list too short when its only item failed
        message = item["msg"].removeprefix("Value error, ")
        problems.append(
            Problem(document.label, dotted(item["loc"]), message, document.line_of(item["loc"]))
        )
    return problems


def _has_inner_error(loc: tuple[int | str, ...], errors: list[ErrorDetails]) -> bool:
    return any(len(other["loc"]) > len(loc) and other["loc"][: len(loc)] == loc for other in errors)

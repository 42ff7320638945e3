"""A small, complete lesson built in code, so app tests do not depend on the real content."""

from __future__ import annotations

from typing import Any

from lessons import Catalog
from lessons.models import Lesson

SLUG = "demo-lesson"

SOURCES = {
    "canonical": "async def fetch_data(url):\n    return url\n",
    "blocking": "import time\n\nasync def f():\n    time.sleep(1)\n",
    "nonblocking": "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n",
}


def _example(name: str) -> dict[str, Any]:
    return {"file": f"examples/{name}.py", "title": f"The {name} example", "call": "f()"}


def _question(qid: str, answer: str = "b") -> dict[str, Any]:
    return {
        "id": qid,
        "question": f"Question **{qid}**?",
        "answer": answer,
        "options": [
            {"id": "a", "text": f"{qid} option A", "explanation": f"{qid} A is wrong because."},
            {"id": "b", "text": f"{qid} option B", "explanation": f"{qid} B is right because."},
            {"id": "c", "text": f"{qid} option C", "explanation": f"{qid} C is wrong too."},
        ],
    }


def _step(sid: str, level: str, prompt: str | None) -> dict[str, Any]:
    step: dict[str, Any] = {
        "id": sid,
        "title": f"Step {sid}",
        "level": level,
        "concept": f"Concept of {sid}.",
        "explanation": f"SECRET-BODY-{sid} explained.",
        "example": "canonical",
        "result": f"Result of {sid}.",
        "insight": f"Insight of {sid}.",
    }
    if prompt is not None:
        step["prompt"] = _question(prompt)
    return step


def _titled(title: str) -> dict[str, str]:
    return {"title": title, "body": f"{title} body."}


def lesson_data() -> dict[str, Any]:
    return {
        "meta": {
            "slug": SLUG,
            "title": "Demo lesson",
            "summary": "A lesson for `tests`.",
            "prerequisites": ["async basics"],
            "next_topics": ["more"],
            "canonical_example": "canonical",
            "examples": {name: _example(name) for name in SOURCES},
        },
        "learn": {"title": "Learn the demo", "body": "Intro.\n\n```example canonical\n```\n"},
        "why": {
            "big_idea": "Big idea.",
            "scenario": "Scenario.",
            "problem": "Problem.",
            "solution": "Solution.",
            "before": "blocking",
            "after": "nonblocking",
            "before_after_note": "Note.",
            "real_life": "Real life.",
            "takeaways": ["One.", "Two.", "Three."],
        },
        "deep": {
            "overview": {"what": "What.", "why_it_matters": "Why.", "where_it_fits": "Where."},
            "mental_model": {
                "core_idea": "Core idea.",
                "analogy": "Analogy.",
                "diagram": ["start", "work", "done"],
            },
            "steps": [
                _step("s1", "Foundation", None),
                _step("s2", "Intermediate", "p2"),
                _step("s3", "Expert", "p3"),
            ],
            "under_the_hood": "Under the hood.",
            "under_the_hood_diagram": ["loop", "selector"],
            "design": "Design.",
            "myths": [
                {
                    "id": "m1",
                    "claim": "Async is faster",
                    "holds": False,
                    "reality": "REALITY-m1",
                    "why": "WHY-m1",
                },
                {
                    "id": "m2",
                    "claim": "Await anywhere",
                    "holds": False,
                    "reality": "REALITY-m2",
                    "why": "WHY-m2",
                },
            ],
            "expert_zone": [_titled("Expert one")],
            "when_not": [_titled("When not one")],
            "production": [_titled("Production one")],
            "connections": [_titled("Connection one")],
            "pitfalls": [
                {
                    "id": "pf1",
                    "title": "Blocking sleep",
                    "wrong": "blocking",
                    "right": "nonblocking",
                    "root_cause": "ROOT-CAUSE-pf1",
                },
            ],
            "takeaways": ["Take one."],
        },
        "visual": {
            "example": "canonical",
            "concept_flow": ["start", "send", "wait"],
            "reference_table": [{"action": "call", "evaluation": "coroutine", "result": "made"}],
            "variable_notes": "Notes.",
            "key_moments": [{"question": "Why await?", "answer": "Because.", "steps": [1]}],
            "quiz": [_question("v1")],
            "snapshot": ["Snap."],
        },
        "try_": {
            "intro": "Try it.",
            "example": "canonical",
            "suggestions": [
                {
                    "text": "Change the url.",
                    "tried": [
                        {
                            "example": "nonblocking",
                            "expect": {"no_error": True, "blocked": False},
                            "counter": {"example": "blocking", "changes": "time.sleep"},
                        }
                    ],
                }
            ],
        },
        "challenge": {
            "intro": "Challenges.",
            "challenges": [
                {
                    "id": "c1",
                    "title": "Five at once",
                    "task": "Do it.",
                    "starter": "blocking",
                    "solution": "nonblocking",
                    "runs": [
                        {"id": "main", "call": "f()"},
                        {"id": "secret", "call": "f(2)", "hidden": True},
                    ],
                    "checks": [
                        {
                            "id": "fast",
                            "kind": "wall_time",
                            "run": "main",
                            "measure": "wall",
                            "slowest_ms": 100,
                            "at_most": 2,
                            "text": "It is fast.",
                        },
                        {
                            "id": "no-stall",
                            "kind": "stalls",
                            "run": "main",
                            "text": "Nothing blocks.",
                        },
                        {
                            "id": "hidden-value",
                            "kind": "returns",
                            "run": "secret",
                            "matches": ".*",
                            "text": "Returns something.",
                        },
                    ],
                    "wrong": [{"example": "blocking", "fails": ["no-stall"]}],
                },
            ],
        },
        "project": {
            "title": "Aggregator",
            "goal": "Goal.",
            "starter": "blocking",
            "steps": [
                {
                    "id": "client",
                    "title": "Client",
                    "task": "Make one.",
                    "runs": [{"id": "serve", "call": "f()"}],
                    "checks": [
                        {
                            "id": "one-connect",
                            "kind": "tcp_connects",
                            "run": "serve",
                            "max": 1,
                            "text": "Shared.",
                        },
                    ],
                }
            ],
            "solution": "nonblocking",
        },
        "recall": {
            "cards": [{"id": "k1", "front": "FRONT-k1", "back": "BACK-k1"}],
            "quiz": [_question("r1"), _question("r2"), _question("r3")],
        },
        "perf": {
            "intro": "Perf intro.",
            "comparisons": [
                {
                    "id": "cmp1",
                    "title": "Sleep",
                    "claim": "Claim.",
                    "metric": "blocked_ms",
                    "slow": {
                        "example": "blocking",
                        "expect": {"blocked": True},
                        "counter": {"example": "nonblocking", "changes": "awaited"},
                    },
                    "fast": {
                        "example": "nonblocking",
                        "expect": {"blocked": False},
                        "counter": {"example": "blocking", "changes": "blocking"},
                    },
                },
            ],
        },
        "sources": SOURCES,
    }


def make_lesson() -> Lesson:
    return Lesson.model_validate(lesson_data())


def make_catalog() -> Catalog:
    return Catalog((make_lesson(),))

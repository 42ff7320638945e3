from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lessons import (
    Answer,
    UnknownItem,
    UnknownOption,
    grade,
    grade_myth,
    leitner_boxes,
    review_order,
    score,
)
from lessons.models import Myth, Option, Prompt, Question

START = datetime(2026, 1, 1, tzinfo=UTC)


def make_question(question_id: str, answer: str = "b") -> Question:
    return Question(
        id=question_id,
        question=f"Question {question_id}?",
        options=(
            Option(id="a", text="A", explanation="Why A is wrong."),
            Option(id="b", text="B", explanation="Why B is right."),
        ),
        answer=answer,
    )


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def test_grade_right_answer() -> None:
    result = grade(make_question("q1"), "b")

    assert result.correct
    assert result.question_id == "q1"
    assert result.chosen.id == result.right.id == "b"
    assert result.explanation == "Why B is right."


def test_grade_wrong_answer_keeps_both_explanations() -> None:
    result = grade(make_question("q1"), "a")

    assert not result.correct
    assert result.chosen.explanation == "Why A is wrong."
    assert result.right.explanation == "Why B is right."


def test_grade_unknown_option() -> None:
    with pytest.raises(UnknownOption, match=r"^question 'q1' has no option 'z' \(options: a, b\)$"):
        grade(make_question("q1"), "z")


def test_grade_myth() -> None:
    myth = Myth(id="m", claim="Async is faster.", holds=False, reality="No.", why="Latency.")

    assert grade_myth(myth, holds=False)
    assert not grade_myth(myth, holds=True)


def test_score_counts_right_answers_and_missing_ones_as_wrong() -> None:
    quiz = [make_question("q1"), make_question("q2"), make_question("q3")]

    result = score(quiz, {"q1": "b", "q2": "a"})

    assert (result.correct, result.answered, result.total) == (1, 2, 3)
    assert [g.question_id for g in result.grades] == ["q1", "q2"]


def test_score_rejects_an_answer_to_an_unknown_question() -> None:
    with pytest.raises(UnknownItem, match="has no question 'q9'"):
        score([make_question("q1")], {"q9": "a"})


def test_review_order_without_history_is_lesson_order() -> None:
    quiz = [make_question("q1"), make_question("q2")]

    assert review_order(quiz, []) == quiz


def test_review_order_missed_first_then_unseen_then_known() -> None:
    q1, q2, q3, q4, q5 = (make_question(f"q{n}") for n in range(1, 6))
    history = [
        Answer("q1", correct=True, answered_at=at(1)),
        Answer("q2", correct=False, answered_at=at(2)),
        Answer("q4", correct=True, answered_at=at(3)),
        Answer("q5", correct=False, answered_at=at(4)),
    ]

    order = review_order([q1, q2, q3, q4, q5], history)

    # q5 was missed most recently, then q2; q3 was never seen; q1 is known longer than q4.
    assert [q.id for q in order] == ["q5", "q2", "q3", "q1", "q4"]


def test_review_order_a_right_answer_after_a_miss_moves_it_back() -> None:
    q1, q2 = make_question("q1"), make_question("q2")
    history = [
        Answer("q1", correct=False, answered_at=at(1)),
        Answer("q2", correct=True, answered_at=at(2)),
        Answer("q1", correct=True, answered_at=at(3)),
    ]

    # Both are right now; both in box 1, q2 answered longer ago.
    assert [q.id for q in review_order([q1, q2], history)] == ["q2", "q1"]


def test_review_order_less_learned_boxes_first() -> None:
    q1, q2 = make_question("q1"), make_question("q2")
    history = [
        Answer("q1", correct=True, answered_at=at(1)),
        Answer("q1", correct=True, answered_at=at(2)),
        Answer("q2", correct=True, answered_at=at(3)),
    ]

    assert leitner_boxes(history) == {"q1": 2, "q2": 1}
    assert [q.id for q in review_order([q1, q2], history)] == ["q2", "q1"]


def test_review_order_replays_history_in_time_order_whatever_the_input_order() -> None:
    history = [
        Answer("q1", correct=True, answered_at=at(5)),
        Answer("q1", correct=False, answered_at=at(1)),
    ]

    assert leitner_boxes(history) == {"q1": 2}
    assert leitner_boxes(reversed(history)) == {"q1": 2}


def test_leitner_box_is_capped_and_a_miss_resets_it() -> None:
    right = [Answer("q1", correct=True, answered_at=at(n)) for n in range(9)]

    assert leitner_boxes(right) == {"q1": 5}
    assert leitner_boxes([*right, Answer("q1", correct=False, answered_at=at(10))]) == {"q1": 1}


def test_review_order_ignores_history_of_other_questions_and_keeps_the_type() -> None:
    prompt = Prompt.model_validate(make_question("p1").model_dump())
    history = [Answer("gone", correct=False, answered_at=at(1))]

    order = review_order([prompt], history)

    assert order == [prompt]
    assert isinstance(order[0], Prompt)

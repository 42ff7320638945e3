"""Typed expectations on real runs: what a challenge or a project milestone checks.

A checked exercise names the runs it makes of the learner's file (a call expression each; some
``hidden``, with inputs the learner does not see) and the checks evaluated on those runs. Each
check is one kind of fact read from a trace (``lessons.judge`` evaluates them):

    returns      the run's returned value (its repr), exactly or by a regular expression
    wall_time    the run's time waiting on I/O (or its wall time), as a multiple of the slowest
                 upstream delay it asks for
    in_flight    how many upstream requests were on the wire at once (from the HTTP phases)
    tcp_connects how many TCP connections the run opened
    clients      how many httpx clients; explicit timeouts, per-phase timeouts, closed at the end
    raises       the exception the call ended with, by type (or none)
    caught       an exception of this type was caught by the learner's code
    stalls       blocking steps (over 50 ms without yielding) at the learner's own lines
    source       what behaviour cannot tell: what the ``except`` clauses catch (by meaning),
                 forbidden names

A run marked ``hidden`` keeps its inputs secret: its checks say pass or fail and a generic
reason, never what the run raised, returned or printed (``lessons.judge``).

Every check keeps counter-examples: ``wrong`` lists files that must fail named checks, and the
suite proves each check rejects at least one of them (a check nothing fails is a defect).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from lessons.models_base import ItemId, Markdown, Model


class RunSpec(Model):
    """One run of the learner's file: ``call`` is evaluated in its namespace and awaited."""

    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    call: str
    hidden: bool = False  # inputs the learner does not see (so order and parameters are tested)


class _Check(Model):
    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    text: Markdown  # what the learner reads: the expectation in words


class _RunCheck(_Check):
    run: str  # a RunSpec id


class Returns(_RunCheck):
    kind: Literal["returns"]
    equals: str | None = None  # the repr of the expected value
    matches: str | None = None  # a regular expression the repr must match (re.fullmatch)
    # With ``matches``: the expected value as the learner reads it (the pattern is never shown).
    looks_like: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Returns:
        if (self.equals is None) == (self.matches is None):
            raise ValueError("give exactly one of equals and matches")
        return self


class WallTime(_RunCheck):
    """``waiting`` (the default) is the time the event loop slept on I/O, which CPU load cannot
    inflate: overlapped waits take about the slowest delay, waits in a row their sum."""

    kind: Literal["wall_time"]
    measure: Literal["waiting", "wall"] = "waiting"
    slowest_ms: float = Field(gt=0)  # the slowest upstream delay this run asks for
    at_most: float | None = Field(default=None, gt=0)  # x slowest_ms
    at_least: float | None = Field(default=None, gt=0)  # x slowest_ms


class InFlight(_RunCheck):
    kind: Literal["in_flight"]
    min: int | None = Field(default=None, ge=1)
    max: int | None = Field(default=None, ge=1)


class TcpConnects(_RunCheck):
    kind: Literal["tcp_connects"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class Clients(_RunCheck):
    """The httpx clients that sent upstream requests, or (``scope: made``) that the learner's
    own lines made, whether they sent anything or not."""

    kind: Literal["clients"]
    scope: Literal["upstream", "made"] = "upstream"
    exactly: int | None = Field(default=None, ge=0)
    explicit_timeout: bool = False  # not httpx's 5-second default, and no phase left at None
    phase_timeouts: tuple[Literal["connect", "read", "write", "pool"], ...] = ()  # differ
    closed: bool = False  # closed before the run ended, after its last request


class Raises(_RunCheck):
    kind: Literal["raises"]
    type: str | None = None  # None: the call must return without raising
    # What a failure means to the learner, said first: "the app did not start".
    failure: str | None = None


class Caught(_RunCheck):
    kind: Literal["caught"]
    type: str


class Stalls(_RunCheck):
    kind: Literal["stalls"]
    max: int = Field(default=0, ge=0)


class Source(_Check):
    kind: Literal["source"]
    # The handlers together catch exactly what this class catches, judged by meaning: names
    # resolved through imports and aliases, tuples and separate clauses as one set
    # (``lessons.handlers``). E.g. ``httpx.HTTPError``.
    catches: str | None = None
    # An ``except`` clause must name one of these (resolved through imports, so ``hx.HTTPError``
    # matches ``httpx.HTTPError``). Prefer ``catches``, which judges the set caught.
    handler_names: tuple[str, ...] = ()
    no_broad_except: bool = False  # no bare ``except:``, ``except Exception`` or BaseException
    forbidden_names: tuple[str, ...] = ()  # attribute or name never used (e.g. ``on_event``)


# One check of an exercise (``Checked.checks``), its class chosen by ``kind``.
ExerciseCheck = Annotated[
    Returns | WallTime | InFlight | TcpConnects | Clients | Raises | Caught | Stalls | Source,
    Field(discriminator="kind"),
]
RUN_CHECKS = (Returns, WallTime, InFlight, TcpConnects, Clients, Raises, Caught, Stalls)


class WrongVariant(Model):
    """A known-wrong file and the checks it must fail."""

    example: str
    fails: tuple[str, ...] = Field(min_length=1)


class Checked(Model):
    """An exercise checked on real runs: its runs, checks, correct and wrong variants."""

    runs: tuple[RunSpec, ...] = Field(min_length=1)
    checks: tuple[ExerciseCheck, ...] = Field(min_length=1)
    alternatives: tuple[str, ...] = ()  # other correct solutions (example names)
    wrong: tuple[WrongVariant, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Checked:
        runs = [run.id for run in self.runs]
        checks = [check.id for check in self.checks]
        for label, ids in (("run", runs), ("check", checks)):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{label} ids repeat: {', '.join(repeated)}")
        if all(run.hidden for run in self.runs):
            raise ValueError("at least one run must be visible to the learner")
        for check in self.checks:
            if isinstance(check, RUN_CHECKS) and check.run not in runs:
                raise ValueError(f"check {check.id!r} names no run {check.run!r}")
        for variant in self.wrong:
            unknown = sorted(set(variant.fails) - set(checks))
            if unknown:
                raise ValueError(f"wrong {variant.example!r} names no check {', '.join(unknown)}")
        return self

    @property
    def visible_run(self) -> RunSpec:
        return next(run for run in self.runs if not run.hidden)

    def run(self, run_id: str) -> RunSpec:
        return next(run for run in self.runs if run.id == run_id)

"""Predict, then check: the checkpoints a page puts to the learner.

A checkpoint is a question asked at the moment that matters, before the figure that answers it
is shown or changed. The learner commits to one of a few answers; the page then says whether it
was right, answers the chosen option on its own terms (each wrong answer has its own reason),
and explains with the figure on screen. Answers that depend on the data are computed from the
data on screen by the lesson that builds the checkpoint (and tested there), so a checkpoint is
plain data: no Streamlit here. ``app_pages/_checkpoint.py`` draws it and keeps the answers.

Each page lists the keys of its checkpoints on its step of the learning path
(:attr:`nmf_lab.learning_path.PathStep.checkpoints`), so the sidebar can count what is done on
every page without running the pages.

>>> cp = Checkpoint(
...     key="demo_sign",
...     question="Is 2 − 3 nonnegative?",
...     choices=(
...         Choice("Yes", "2 − 3 = −1, below zero."),
...         Choice("No", "Right: subtracting can leave the orthant."),
...     ),
...     correct=1,
...     explanation="NMF never subtracts.",
... )
>>> cp.verdict("No")
(True, 'Right: subtracting can leave the orthant.')
>>> cp.verdict("Yes")[0]
False
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = ["Checkpoint", "Choice", "pick", "progress_counts"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Choice:
    """One answer a learner can commit to.

    Attributes
    ----------
    label : str
        The answer as the learner reads it (unique within its checkpoint).
    feedback : str
        What the app says to a learner who chose it: for a wrong answer, why it is wrong on its
        own terms (not only "the right answer is ..."); for the right one, why it holds.
    """

    label: str
    feedback: str


@dataclass(frozen=True)
class Checkpoint:
    """A question with a few answers, one of them right for the data on screen.

    Attributes
    ----------
    key : str
        Stable identifier, lower-case with underscores, prefixed by the page
        (``"home_rank_drop"``); listed on the page's step of the learning path.
    question : str
        The question, markdown; says what to do after answering if the answer is seen by
        changing a control ("then set r = 1").
    choices : tuple of Choice
        At least two, with distinct labels.
    correct : int
        Index into ``choices`` of the right answer for the data on screen.
    explanation : str
        Shown after any answer: what the live figure shows, with the live numbers.
    """

    key: str
    question: str
    choices: tuple[Choice, ...]
    correct: int
    explanation: str

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(
                f"checkpoint key must be lower-case letters, digits and underscores, "
                f"got {self.key!r}"
            )
        if len(self.choices) < 2:
            raise ValueError(f"checkpoint {self.key!r} needs at least two choices")
        labels = self.labels
        if len(set(labels)) != len(labels):
            raise ValueError(f"checkpoint {self.key!r} has repeated labels: {labels}")
        if not 0 <= self.correct < len(self.choices):
            raise ValueError(
                f"checkpoint {self.key!r}: correct={self.correct} is not an index into "
                f"its {len(self.choices)} choices"
            )
        if not self.question.strip() or not self.explanation.strip():
            raise ValueError(f"checkpoint {self.key!r} needs a question and an explanation")

    @property
    def labels(self) -> tuple[str, ...]:
        """The answers' labels, in order."""
        return tuple(choice.label for choice in self.choices)

    @property
    def right_label(self) -> str:
        """The label of the right answer."""
        return self.choices[self.correct].label

    def verdict(self, label: str) -> tuple[bool, str]:
        """Whether ``label`` is the right answer, and the feedback for that answer.

        Raises
        ------
        ValueError
            If ``label`` is not one of the checkpoint's answers.
        """
        labels = self.labels
        if label not in labels:
            raise ValueError(f"{label!r} is not an answer of checkpoint {self.key!r}: {labels}")
        index = labels.index(label)
        return index == self.correct, self.choices[index].feedback


def pick(thresholds: Iterable[float], value: float) -> int:
    """Index of the first threshold that ``value`` is below (the last index + 1 if none).

    The usual way a data-dependent checkpoint chooses its right answer among ordered ranges:
    ``pick([0.005, 0.10], error)`` is 0 for "about 0%", 1 for "under 10%", 2 for "more".

    >>> pick([0.005, 0.10], 0.07)
    1
    """
    limits = list(thresholds)
    if any(later <= earlier for earlier, later in itertools.pairwise(limits)):
        raise ValueError(f"thresholds must increase, got {limits}")
    for index, limit in enumerate(limits):
        if value < limit:
            return index
    return len(limits)


def progress_counts(
    page_keys: Iterable[tuple[str, Collection[str]]], answered: Collection[str]
) -> list[tuple[str, int, int]]:
    """How many checkpoints of each page are answered.

    Parameters
    ----------
    page_keys : iterable of (str, collection of str)
        Each page's name and its checkpoint keys.
    answered : collection of str
        The keys the learner has answered.

    Returns
    -------
    list of (str, int, int)
        ``(page, answered, total)`` per page, in the given order.
    """
    return [(page, sum(key in answered for key in keys), len(keys)) for page, keys in page_keys]

"""Which frame an animation shows: play, pause, step and seek, on a clock the caller passes in.

The server plays an animation by rerunning the view on a timer and showing
:attr:`Playback.frame` each time; every tick of the timer shows the next frame. A busy machine
plays slower rather than skipping frames: each frame is a step of the solver worth seeing.
Reruns that are not ticks (the one that pressed Play, a second tick queued right behind the
first) come sooner than half a frame after the frame appeared, and leave it alone.

The state is an immutable value (it lives in a session between reruns); every method returns
a new :class:`Playback`. Times are seconds on any monotonic clock (``time.monotonic()``).

>>> p = Playback.at_end(5, seconds_per_frame=0.1)
>>> p.frame, p.playing, p.action
(4, False, 'play')
>>> p = p.toggle(now=10.0)  # Play at the end replays from the start
>>> p.frame, p.playing
(0, True)
>>> p.advance(now=10.02).frame  # the rerun of the key press itself: no step
0
>>> p = p.advance(now=10.1)
>>> p.frame, p.playing
(1, True)
>>> for tick in (10.2, 10.3, 10.4):
...     p = p.advance(now=tick)
>>> p.frame, p.playing  # pauses on the last frame
(4, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["Playback"]

# A rerun sooner than this fraction of a frame after the last change is not a timer tick
# (it is e.g. the rerun that pressed Play) and leaves the frame alone.
_TICK_FRACTION = 0.5


def _check_count(n_frames: int) -> int:
    if isinstance(n_frames, bool) or not isinstance(n_frames, int) or n_frames < 1:
        raise ValueError(f"n_frames must be a positive integer, got {n_frames!r}.")
    return n_frames


def _check_seconds(seconds_per_frame: float) -> float:
    if (
        isinstance(seconds_per_frame, bool)
        or not isinstance(seconds_per_frame, int | float)
        or not math.isfinite(seconds_per_frame)
        or seconds_per_frame <= 0
    ):
        raise ValueError(f"seconds_per_frame must be a positive number, got {seconds_per_frame!r}.")
    return float(seconds_per_frame)


@dataclass(frozen=True)
class Playback:
    """The state of one animation of ``n_frames`` frames.

    Attributes
    ----------
    n_frames : int
        Frames ``0 .. n_frames − 1``.
    seconds_per_frame : float
        Time per frame while playing.
    frame : int
        The frame shown.
    playing : bool
        Whether the frames advance with the clock.
    shown_at : float
        The clock time the shown frame was first shown.
    """

    n_frames: int
    seconds_per_frame: float
    frame: int
    playing: bool = False
    shown_at: float = 0.0

    @classmethod
    def at_end(cls, n_frames: int, *, seconds_per_frame: float) -> Playback:
        """Paused on the last frame (the finished run), the state a page opens with."""
        n_frames = _check_count(n_frames)
        return cls(n_frames, _check_seconds(seconds_per_frame), frame=n_frames - 1)

    @property
    def last(self) -> int:
        """Index of the last frame."""
        return self.n_frames - 1

    @property
    def action(self) -> Literal["play", "pause", "resume"]:
        """What the play/pause control does now: ``"pause"`` while playing, ``"resume"`` when
        paused between the first and the last frame, else ``"play"``."""
        if self.playing:
            return "pause"
        return "resume" if 0 < self.frame < self.last else "play"

    def _clamp(self, frame: int) -> int:
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise ValueError(f"frame must be an integer, got {frame!r}.")
        return min(max(frame, 0), self.last)

    def play(self, now: float) -> Playback:
        """Start the clock: from the shown frame, or from frame 0 when on the last frame."""
        start = 0 if self.frame >= self.last else self.frame
        if self.last == 0:
            return replace(self, frame=0, playing=False)
        return replace(self, frame=start, playing=True, shown_at=now)

    def pause(self) -> Playback:
        """Stop the clock on the shown frame."""
        return replace(self, playing=False)

    def toggle(self, now: float) -> Playback:
        """Pause while playing, play otherwise (the one key of a presenter: Space)."""
        return self.pause() if self.playing else self.play(now)

    def apply(self, action: str, now: float) -> Playback:
        """Do what the play/pause control said when it was drawn (its :attr:`action`).

        Unlike :meth:`toggle`, doing it twice is doing it once: a key press that reaches the
        server twice, or a click on a label that is one run old, pauses a paused animation
        again instead of playing it.

        Raises
        ------
        ValueError
            If ``action`` is not ``"play"``, ``"pause"`` or ``"resume"``.
        """
        if action == "pause":
            return self.pause()
        if action in ("play", "resume"):
            return self if self.playing else self.play(now)
        raise ValueError(f"action must be 'play', 'pause' or 'resume', got {action!r}.")

    def go_to(self, frame: int) -> Playback:
        """Pause on ``frame`` (clamped to the frames there are)."""
        return replace(self, frame=self._clamp(frame), playing=False)

    def step(self, by: int) -> Playback:
        """Pause ``by`` frames away from the shown one (clamped): −1 back, +1 on."""
        return self.go_to(self.frame + by)

    def seek(self, frame: int, now: float) -> Playback:
        """Show ``frame``, and go on playing from there if playing (a slider moved mid-play)."""
        return replace(self, frame=self._clamp(frame), shown_at=now)

    def with_speed(self, seconds_per_frame: float) -> Playback:
        """The same state at another speed."""
        return replace(self, seconds_per_frame=_check_seconds(seconds_per_frame))

    def advance(self, now: float) -> Playback:
        """The state after a tick of the timer at clock time ``now``: the next frame.

        Paused, or sooner than half a frame after the shown frame appeared, nothing changes;
        on reaching the last frame the playback pauses.
        """
        if not self.playing or now - self.shown_at < _TICK_FRACTION * self.seconds_per_frame:
            return self
        frame = min(self.frame + 1, self.last)
        return replace(self, frame=frame, playing=frame < self.last, shown_at=now)

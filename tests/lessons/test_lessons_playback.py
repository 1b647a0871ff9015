"""The playback of an animation: play, pause, resume, step, seek and the timer's ticks."""

from __future__ import annotations

import pytest

from nmf_lab.playback import Playback

SPF = 0.25  # seconds per frame


def _ticks(playback: Playback, start: float, count: int) -> list[Playback]:
    states = []
    for tick in range(1, count + 1):
        playback = playback.advance(start + tick * SPF)
        states.append(playback)
    return states


def test_opens_paused_on_the_finished_run():
    playback = Playback.at_end(31, seconds_per_frame=SPF)
    assert (playback.frame, playback.playing, playback.action) == (30, False, "play")


def test_play_at_the_end_replays_every_frame_once_and_stops_on_the_last():
    playback = Playback.at_end(5, seconds_per_frame=SPF).toggle(now=100.0)
    assert (playback.frame, playback.playing, playback.action) == (0, True, "pause")
    states = _ticks(playback, 100.0, 6)
    assert [state.frame for state in states] == [1, 2, 3, 4, 4, 4]
    assert [state.playing for state in states] == [True, True, True, False, False, False]


def test_a_rerun_sooner_than_half_a_frame_is_not_a_tick():
    playback = Playback.at_end(5, seconds_per_frame=SPF).play(now=100.0)
    # The rerun that pressed Play, and a tick queued right behind another one.
    assert playback.advance(100.0).frame == 0
    assert playback.advance(100.0 + 0.4 * SPF).frame == 0
    moved = playback.advance(100.0 + SPF)
    assert moved.frame == 1
    assert moved.advance(100.0 + 1.2 * SPF).frame == 1


def test_a_slow_timer_plays_slower_but_skips_no_frame():
    playback = Playback.at_end(4, seconds_per_frame=SPF).play(now=0.0)
    frames = []
    for now in (5.0, 10.0, 15.0):
        playback = playback.advance(now)
        frames.append(playback.frame)
    assert frames == [1, 2, 3]


def test_pause_holds_the_frame_and_resume_goes_on_from_it():
    playback = Playback.at_end(10, seconds_per_frame=SPF).play(now=0.0)
    playback = _ticks(playback, 0.0, 3)[-1]
    paused = playback.toggle(now=1.0)
    assert (paused.frame, paused.playing, paused.action) == (3, False, "resume")
    # Ticks that still arrive after the pause change nothing.
    assert paused.advance(5.0) == paused
    resumed = paused.toggle(now=2.0)
    assert (resumed.frame, resumed.playing) == (3, True)
    assert resumed.advance(2.0 + SPF).frame == 4


def test_steps_and_jumps_pause_and_stay_inside_the_run():
    playback = Playback.at_end(5, seconds_per_frame=SPF)
    assert playback.step(1).frame == 4  # already on the last frame
    assert playback.step(-1).frame == 3
    assert playback.go_to(0).step(-1).frame == 0
    assert playback.go_to(99).frame == 4
    playing = playback.play(now=0.0)
    assert playing.step(1) == playing.pause().go_to(1)
    assert not playing.go_to(2).playing


def test_seek_keeps_playing_from_the_new_frame():
    playing = Playback.at_end(10, seconds_per_frame=SPF).play(now=0.0)
    moved = playing.seek(6, now=3.0)
    assert (moved.frame, moved.playing) == (6, True)
    assert moved.advance(3.0 + 0.1).frame == 6
    assert moved.advance(3.0 + SPF).frame == 7
    paused = Playback.at_end(10, seconds_per_frame=SPF).seek(2, now=0.0)
    assert (paused.frame, paused.playing) == (2, False)


def test_action_names_what_the_play_control_does():
    playback = Playback.at_end(5, seconds_per_frame=SPF)
    assert playback.go_to(0).action == "play"
    assert playback.go_to(2).action == "resume"
    assert playback.action == "play"
    assert playback.play(now=0.0).action == "pause"


def test_speed_changes_the_tick_length():
    playback = Playback.at_end(5, seconds_per_frame=1.0).play(now=0.0)
    assert playback.advance(0.3).frame == 0
    faster = playback.with_speed(0.2)
    assert faster.advance(0.3).frame == 1


def test_a_single_frame_never_plays():
    playback = Playback.at_end(1, seconds_per_frame=SPF)
    assert playback.play(now=0.0).playing is False


@pytest.mark.parametrize("n_frames", [0, -1, 2.0, True, "5"])
def test_bad_frame_counts_are_refused(n_frames):
    with pytest.raises(ValueError, match="n_frames"):
        Playback.at_end(n_frames, seconds_per_frame=SPF)


@pytest.mark.parametrize("seconds", [0, -0.1, float("nan"), float("inf"), True, "0.1"])
def test_bad_speeds_are_refused(seconds):
    with pytest.raises(ValueError, match="seconds_per_frame"):
        Playback.at_end(3, seconds_per_frame=seconds)
    with pytest.raises(ValueError, match="seconds_per_frame"):
        Playback.at_end(3, seconds_per_frame=SPF).with_speed(seconds)


@pytest.mark.parametrize("frame", [1.5, None, True])
def test_bad_frames_are_refused(frame):
    with pytest.raises(ValueError, match="frame"):
        Playback.at_end(3, seconds_per_frame=SPF).go_to(frame)


def test_pause_applied_twice_stays_paused_where_a_toggle_would_play_again():
    playing = Playback.at_end(8, seconds_per_frame=SPF).go_to(3).play(now=10.0)
    once = playing.apply("pause", now=11.0)
    twice = once.apply("pause", now=11.1)
    assert not once.playing and not twice.playing
    assert twice.frame == 3
    assert once.toggle(now=11.1).playing, "a second toggle plays again: the race this avoids"


def test_play_applied_while_playing_keeps_the_frame_and_its_clock():
    playing = Playback.at_end(8, seconds_per_frame=SPF).go_to(2).play(now=10.0)
    assert playing.apply("play", now=12.0) == playing
    assert playing.apply("resume", now=12.0) == playing
    paused = playing.pause()
    resumed = paused.apply("resume", now=13.0)
    assert resumed.playing and resumed.frame == 2 and resumed.shown_at == 13.0


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="action must be"):
        Playback.at_end(4, seconds_per_frame=SPF).apply("rewind", now=0.0)

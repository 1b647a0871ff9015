"""Lecture plans: an ordered list of demos, each a page with its settings, and their links.

A *demo* is what a bookmark of the app is: a page (its ``url_path`` in ``app.py``) and the
query-string values of that page's bound widgets, plus a title and a one-line talking point for
the lecturer. A *plan* is an ordered list of demos with a title. The app ships
:func:`default_plan`, which walks the storyline of the learning path; a lecturer can build their
own and share it as one URL parameter (:func:`encode_plan` / :func:`decode_plan`).

No Streamlit here: the sidebar and the lecture bar that use this live in
``app_pages/_lecture_plan.py``.

Link format
-----------
``?plan=1.<payload>`` where ``1`` is the format version and ``payload`` is the URL-safe base64
(no padding) of the zlib-compressed compact JSON ``{"t": title, "d": [[url_path, settings,
title, talking_point], ...]}``. Settings map a widget key to its query-string value (a string,
or a list of strings for a repeated parameter). A link longer than :data:`MAX_LINK_CHARS`, one
that does not decode, or one whose content breaks a rule below raises :class:`PlanLinkError`,
and :func:`plan_from_link` falls back to the default plan with a message for the page.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "APP_KEYS",
    "DEMO_PARAM",
    "FORMAT_VERSION",
    "HOME_PATH",
    "MAX_DEMOS",
    "MAX_LINK_CHARS",
    "PAGE_PATHS",
    "PLAN_PARAM",
    "Demo",
    "Plan",
    "PlanLinkError",
    "app_base_url",
    "clean_line",
    "decode_plan",
    "default_plan",
    "demo_query",
    "encode_plan",
    "plan_from_link",
    "settings_from_query",
]

PLAN_PARAM = "plan"
DEMO_PARAM = "demo"
SEED_KEY = "seed"
LECTURE_KEY = "lecture"
# Query parameters that belong to the app, not to a page's view: a demo never stores them.
APP_KEYS = frozenset({PLAN_PARAM, DEMO_PARAM, LECTURE_KEY, "embed", "embed_options"})
HOME_PATH = "start"
# The url_path of every page in app.py, in navigation order (a test keeps the two in step).
PAGE_PATHS = (
    HOME_PATH,
    "change-of-basis",
    "point-clouds",
    "factor-an-image",
    "watching-it-learn",
    "nmf-vs-svd-pca",
    "choosing-r",
    "sounds",
    "stains",
    "texts",
)
FORMAT_VERSION = 1
MAX_DEMOS = 30
MAX_TITLE_CHARS = 80
MAX_POINT_CHARS = 240
MAX_SETTINGS = 40
MAX_VALUE_CHARS = 200
MAX_VALUES_PER_KEY = 20
# About 8 KB of URL: far above a full plan of MAX_DEMOS demos with short settings, far below
# what browsers and proxies accept.
MAX_LINK_CHARS = 8000
MAX_JSON_BYTES = 256 * 1024

_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

SettingValue = str | tuple[str, ...]


class PlanLinkError(ValueError):
    """A plan link that cannot be read: malformed, too long, of another version or invalid."""


def clean_line(text: str, max_chars: int) -> str:
    """Collapse ``text`` to one line of at most ``max_chars`` characters.

    Line breaks, tabs and other control characters become spaces, runs of spaces become one,
    and the ends are stripped; what a lecturer types into a title or talking-point box passes
    :class:`Demo`'s checks after this.
    """
    return " ".join(_CONTROL.sub(" ", str(text)).split())[:max_chars].strip()


def _check_line(value: object, what: str, max_chars: int, *, allow_empty: bool) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {type(value).__name__}")
    if value != value.strip() or _CONTROL.search(value) or "  " in value:
        raise ValueError(f"{what} must be one line without leading/trailing spaces: {value!r}")
    if not value and not allow_empty:
        raise ValueError(f"{what} is empty")
    if len(value) > max_chars:
        raise ValueError(f"{what} has {len(value)} characters; at most {max_chars} are allowed")
    return value


def _check_value(key: str, value: object) -> SettingValue:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"setting {key!r} must be a string or a non-empty list of strings")
    if len(values) > MAX_VALUES_PER_KEY:
        raise ValueError(f"setting {key!r} has {len(values)} values; at most {MAX_VALUES_PER_KEY}")
    for item in values:
        if not isinstance(item, str):
            raise ValueError(f"setting {key!r} must hold strings, not {type(item).__name__}")
        if len(item) > MAX_VALUE_CHARS or _CONTROL.search(item):
            raise ValueError(
                f"setting {key!r} must be at most {MAX_VALUE_CHARS} printable characters"
            )
    return value if isinstance(value, str) else tuple(values)


@dataclass(frozen=True)
class Demo:
    """One step of a lecture: a page, the values of its bound widgets, a title, a talking point.

    Parameters
    ----------
    url_path : str
        The page, one of :data:`PAGE_PATHS` (``"start"`` is the home page at the root URL).
    settings : mapping of str to str or sequence of str
        Widget key -> query-string value, as the page's URL carries it (only values that differ
        from the widget's default appear there). The global ``seed`` may be one of them.
    title : str
        One line, at most 80 characters.
    talking_point : str
        One line, at most 240 characters (may be empty).

    Raises
    ------
    ValueError
        Unknown page, a key that is not a widget key (or is an app parameter such as ``plan``),
        too many settings, or a title/talking point that is not one short line.
    """

    url_path: str
    settings: Mapping[str, SettingValue]
    title: str
    talking_point: str = ""

    def __post_init__(self) -> None:
        if self.url_path not in PAGE_PATHS:
            raise ValueError(f"unknown page {self.url_path!r}; pages are {', '.join(PAGE_PATHS)}")
        if not isinstance(self.settings, Mapping):
            raise ValueError("settings must be a mapping of widget keys to values")
        if len(self.settings) > MAX_SETTINGS:
            raise ValueError(f"{len(self.settings)} settings; at most {MAX_SETTINGS} per demo")
        checked: dict[str, SettingValue] = {}
        for key in sorted(self.settings):
            if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
                raise ValueError(f"{key!r} is not a widget key (lower-case letters, digits, _)")
            if key in APP_KEYS:
                raise ValueError(f"{key!r} is an app parameter, not a page setting")
            checked[key] = _check_value(key, self.settings[key])
        object.__setattr__(self, "settings", MappingProxyType(checked))
        _check_line(self.title, "a demo's title", MAX_TITLE_CHARS, allow_empty=False)
        _check_line(self.talking_point, "a talking point", MAX_POINT_CHARS, allow_empty=True)

    def __hash__(self) -> int:
        return hash((self.url_path, tuple(self.settings.items()), self.title, self.talking_point))

    def query(self) -> list[tuple[str, str]]:
        """The demo's settings as query-string pairs (a repeated key gives several pairs)."""
        pairs = []
        for key, value in self.settings.items():
            for item in (value,) if isinstance(value, str) else value:
                pairs.append((key, item))
        return pairs

    def shows(self, url_path: str, settings: Mapping[str, SettingValue]) -> bool:
        """Whether a view (its page and its URL settings, app keys removed) is this demo."""
        return url_path == self.url_path and dict(settings) == dict(self.settings)


@dataclass(frozen=True)
class Plan:
    """An ordered list of demos with a title.

    Raises
    ------
    ValueError
        No demos, more than :data:`MAX_DEMOS`, or a title that is not one short line.
    """

    title: str
    demos: tuple[Demo, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "demos", tuple(self.demos))
        _check_line(self.title, "the plan's title", MAX_TITLE_CHARS, allow_empty=False)
        if not self.demos:
            raise ValueError("a plan needs at least one demo")
        if len(self.demos) > MAX_DEMOS:
            raise ValueError(f"{len(self.demos)} demos; a plan holds at most {MAX_DEMOS}")
        for demo in self.demos:
            if not isinstance(demo, Demo):
                raise ValueError(f"a plan holds demos, not {type(demo).__name__}")

    def __len__(self) -> int:
        return len(self.demos)

    def clamp(self, index: int) -> int:
        """``index`` moved into ``0 .. len(self) - 1``."""
        return min(max(int(index), 0), len(self.demos) - 1)

    def with_demo(self, demo: Demo, *, at: int | None = None) -> Plan:
        """A copy with ``demo`` inserted before position ``at`` (appended when None)."""
        demos = list(self.demos)
        demos.insert(len(demos) if at is None else at, demo)
        return Plan(self.title, tuple(demos))

    def without(self, index: int) -> Plan:
        """A copy without the demo at ``index`` (a plan keeps at least one demo)."""
        demos = list(self.demos)
        del demos[index]
        return Plan(self.title, tuple(demos))

    def moved(self, index: int, offset: int) -> Plan:
        """A copy with the demo at ``index`` moved by ``offset`` places (kept inside the plan)."""
        demos = list(self.demos)
        target = min(max(index + offset, 0), len(demos) - 1)
        demos.insert(target, demos.pop(index))
        return Plan(self.title, tuple(demos))

    def replaced(self, index: int, demo: Demo) -> Plan:
        """A copy with the demo at ``index`` replaced."""
        demos = list(self.demos)
        demos[index] = demo
        return Plan(self.title, tuple(demos))

    def retitled(self, title: str) -> Plan:
        """A copy with another title."""
        return Plan(title, self.demos)


def settings_from_query(query: Mapping[str, Sequence[str] | str]) -> dict[str, SettingValue]:
    """The page settings of a URL query: every parameter but the app's own (:data:`APP_KEYS`).

    ``query`` maps each key to its values (as ``parse_qs`` gives them) or to one string; a key
    with one value gives a string, a repeated key a tuple.
    """
    settings: dict[str, SettingValue] = {}
    for key, values in query.items():
        if key in APP_KEYS:
            continue
        items = (values,) if isinstance(values, str) else tuple(values)
        if items:
            settings[key] = items[0] if len(items) == 1 else items
    return settings


def demo_query(demo: Demo, *, index: int, plan_token: str | None) -> list[tuple[str, str]]:
    """The query-string pairs that open ``demo`` as step ``index`` (0-based) of a plan.

    The demo's settings, then ``demo=<index + 1>`` and, for a plan other than the default one,
    ``plan=<token>``. (``lecture`` is left to the caller: it is a sidebar widget.)
    """
    pairs = demo.query()
    pairs.append((DEMO_PARAM, str(index + 1)))
    if plan_token:
        pairs.append((PLAN_PARAM, plan_token))
    return pairs


def app_base_url(page_url: str, url_path: str) -> str:
    """The app's own address, from the address of the page on screen (no trailing ``/``).

    Streamlit's ``st.context.url`` is the browser's address without its query string: the app's
    base (``http://host:8501``, or a proxy's ``https://host/nmf-lab``) followed by the page's
    ``url_path``. A link to another page is made from the base, never from the page's address
    (``/sounds/change-of-basis`` opens nothing).

    Parameters
    ----------
    page_url : str
        ``st.context.url`` (may be empty, as in a test without a browser).
    url_path : str
        The ``url_path`` of the page on screen; ``HOME_PATH`` or ``""`` for Home.

    Examples
    --------
    >>> app_base_url("http://127.0.0.1:8501/sounds", "sounds")
    'http://127.0.0.1:8501'
    >>> app_base_url("https://example.org/nmf-lab/", "start")
    'https://example.org/nmf-lab'
    """
    base = page_url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if url_path and url_path != HOME_PATH and base.endswith("/" + url_path):
        base = base[: -len(url_path) - 1]
    return base


def demo_link(demo: Demo, *, index: int, plan_token: str | None, lecture: bool = True) -> str:
    """The path and query string (``/point-clouds?pc_rank=3&demo=2...``) that open a demo."""
    pairs = demo_query(demo, index=index, plan_token=plan_token)
    if lecture:
        pairs.append((LECTURE_KEY, "true"))
    path = "" if demo.url_path == HOME_PATH else demo.url_path
    return f"/{path}?{urlencode(pairs)}"


def _to_json(plan: Plan) -> dict[str, Any]:
    return {
        "t": plan.title,
        "d": [
            [
                demo.url_path,
                {k: v if isinstance(v, str) else list(v) for k, v in demo.settings.items()},
                demo.title,
                demo.talking_point,
            ]
            for demo in plan.demos
        ],
    }


def encode_plan(plan: Plan) -> str:
    """The plan as one URL-safe token: ``"1." + base64url(zlib(compact JSON))``.

    Raises
    ------
    ValueError
        When the token would be longer than :data:`MAX_LINK_CHARS` (too much text in the plan).
    """
    text = json.dumps(_to_json(plan), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    payload = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).rstrip(b"=")
    token = f"{FORMAT_VERSION}.{payload.decode('ascii')}"
    if len(token) > MAX_LINK_CHARS:
        raise ValueError(
            f"this plan's link would have {len(token)} characters; at most {MAX_LINK_CHARS} "
            "fit in a link: shorten its texts or drop demos"
        )
    return token


def _from_json(data: object) -> Plan:
    if not isinstance(data, dict) or set(data) != {"t", "d"}:
        raise ValueError('expected an object with "t" (title) and "d" (demos)')
    demos = data["d"]
    if not isinstance(demos, list):
        raise ValueError('"d" must be a list of demos')
    if len(demos) > MAX_DEMOS:
        raise ValueError(f"{len(demos)} demos; a plan holds at most {MAX_DEMOS}")
    parsed = []
    for number, entry in enumerate(demos, start=1):
        if not isinstance(entry, list) or len(entry) != 4:
            raise ValueError(f"demo {number} must be [page, settings, title, talking point]")
        url_path, settings, title, point = entry
        if not isinstance(url_path, str) or not isinstance(settings, dict):
            raise ValueError(f"demo {number} needs a page name and a settings object")
        try:
            parsed.append(Demo(url_path, settings, title, point))
        except ValueError as error:
            raise ValueError(f"demo {number}: {error}") from None
    return Plan(data["t"], tuple(parsed))


def decode_plan(token: str) -> Plan:
    """Read a plan back from :func:`encode_plan`'s token.

    Raises
    ------
    PlanLinkError
        The token is too long, of an unknown version, not base64/zlib/JSON, or describes an
        invalid plan; the message says which.
    """
    if not isinstance(token, str) or not token:
        raise PlanLinkError("the plan link is empty")
    if len(token) > MAX_LINK_CHARS:
        raise PlanLinkError(
            f"the plan link has {len(token)} characters; at most {MAX_LINK_CHARS} are read"
        )
    version, dot, payload = token.partition(".")
    if not dot or version != str(FORMAT_VERSION):
        raise PlanLinkError(
            f"the plan link is not of format {FORMAT_VERSION} (it should start with "
            f"'{FORMAT_VERSION}.')"
        )
    try:
        raw = base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_JSON_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise PlanLinkError("the plan link is cut off or unpacks to too much text")
        data = json.loads(text.decode("utf-8"))
    except PlanLinkError:
        raise
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError):
        raise PlanLinkError("the plan link is damaged (it does not unpack)") from None
    try:
        return _from_json(data)
    except ValueError as error:
        raise PlanLinkError(f"the plan link holds an invalid plan: {error}") from None


def plan_from_link(token: str | None) -> tuple[Plan, str | None]:
    """The plan a link asks for, or the default plan and a message saying why not.

    Returns
    -------
    plan : Plan
        The decoded plan; :func:`default_plan` when ``token`` is None/empty or unreadable.
    message : str or None
        None when the link was read (or there was none); else one sentence for the page.
    """
    if not token:
        return default_plan(), None
    try:
        return decode_plan(token), None
    except PlanLinkError as error:
        return (
            default_plan(),
            f"Could not open this lecture plan: {error}. Showing the default plan.",
        )


DEFAULT_TITLE = "NMF in one lecture"

_DEFAULT_DEMOS = (
    Demo(
        "change-of-basis",
        {"cob_p1": "1", "cob_p2": "2.5"},
        "One point, two bases",
        "Coordinates belong to a basis: the same point P has other coordinates c in the basis "
        "B, and P = c B reaches it tip to tail along the basis rows.",
    ),
    Demo(
        HOME_PATH,
        {"home_rank": "2"},
        "X ≈ H W",
        "Each row of X is a nonnegative mix of the rows of W, with weights in a row of H. The "
        "example was built with r = 3; at r = 2 an error appears.",
    ),
    Demo(
        "point-clouds",
        {"pc_dim": "3-D", "pc_noise": "0.05"},
        "The cone spanned by W",
        "Every H_i W is a nonnegative mix of the rows of W, so it lies in their cone; with "
        "noise some points fall outside and are drawn back onto it.",
    ),
    Demo(
        "point-clouds",
        {"pc_restarts": "6", "pc_recon": "false"},
        "Many equally good cones",
        "Six random restarts reach almost the same loss with differently placed rays: an NMF "
        "is not unique. Scroll to 'Many equally good cones' and let the room predict first.",
    ),
    Demo(
        "factor-an-image",
        {"img_rank": "8"},
        "An image at rank 8",
        "HW stores r(n + k) numbers instead of n k. SVD's error is the floor (Eckart-Young); "
        "NMF pays a little more for layers that are nonnegative pictures.",
    ),
    Demo(
        "factor-an-image",
        {"img_frank": "25"},
        "Faces: parts, not eigenfaces",
        "On the faces NMF's rows of W are nonnegative parts, sparser (Hoyer) than PCA's "
        "signed eigenfaces, which are whole faces. Scroll to the faces.",
    ),
    Demo(
        "watching-it-learn",
        {"learn_solver": "HALS"},
        "The loss falling",
        "Press play: the loss falls at every HALS iteration. Below, MU, HALS, ANLS and ALS race "
        "from the same start, per iteration and per second.",
    ),
    Demo(
        "nmf-vs-svd-pca",
        {"cmp_data": "Faces", "cmp_rank": "6"},
        "NMF vs SVD vs PCA",
        "Same faces, three bases: SVD's and PCA's have signs, NMF's do not. NMF's error is "
        "never below SVD's, and its basis moves from seed to seed while SVD's stays put.",
    ),
    Demo(
        "choosing-r",
        {"cr_true_r": "3"},
        "Choosing r",
        "Data with 3 planted clusters: the error against r bends at r = 3 and the consensus "
        "over restarts is cleanest there.",
    ),
    Demo(
        "sounds",
        {"sounds_loss": "Frobenius"},
        "Sounds: the loss decides what is heard",
        "Five notes, five components. The Frobenius loss weighs squared error, so the loud "
        "notes win: the soft D5 gets no component of its own. Switch to KL: all five come apart.",
    ),
    Demo(
        "stains",
        {"stains_rank": "3"},
        "Stains: an exact fit that means nothing",
        "Three channels, three rows of W: NMF fits every pixel, yet its third row is far from "
        "eosin, which this slide does not have. Any cone that holds every pixel fits exactly.",
    ),
    Demo(
        "texts",
        {"texts_rank": "12"},
        "Texts: more topics, purer but worse",
        "Twelve topics for six submodules: purity rises, because small topics are purer, while "
        "NMI falls from its best, because submodules split into several topics.",
    ),
)


def default_plan() -> Plan:
    """The plan the app ships: the storyline of the learning path in twelve demos.

    Basis -> X = HW -> the cone -> non-uniqueness -> images and parts -> the loss falling ->
    SVD/PCA -> choosing r, then one demo of each application (sounds, stains, texts). Each
    demo's settings differ from the page's defaults (defaults are not written to a URL), and
    each talking point is checked against its page by the tests.
    """
    return Plan(DEFAULT_TITLE, _DEFAULT_DEMOS)

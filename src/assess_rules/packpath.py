"""Where packs live: the search path that finds a pack by its name.

A name such as ``"northshire"`` is looked for in this order, and the first place holding
``<name>.yaml`` wins (docs/pack-location.md):

1. directories the caller gives (``load_policy(name, search_path=[...])``, ``--pack-dir``);
2. the directories of the environment variable ``ASSESS_RULES_PACK_PATH``, separated by
   ``os.pathsep`` (``:`` on Linux and macOS, ``;`` on Windows);
3. Python packages that declare an entry point in the group ``assess_rules.packs``: each
   names a module (its folder holds the packs) or a module attribute holding a directory;
4. the packs bundled with assess_rules: only those its manifest, ``bundled-packs.txt``,
   lists. A stray file in the bundled folder is not a bundled pack.

A name found in two places is taken from the first; :meth:`PackSearchPath.packs` says where
each name came from and which places it hides (shadows).

Nothing here is cached: the environment and the installed distributions are read when a
search path is built, so a caller that builds one explicitly decides what it holds.

>>> path = pack_search_path(["examples/packs"], environ={})
>>> [d.origin for d in path.directories]
['pack-dir', 'bundled']
>>> path.find("northshire").name
'northshire.yaml'
>>> path.find("generic_s17").parent.name in ("policies", "_bundled")
True
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from importlib.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import Literal

from assess_rules.errors import PolicyError

__all__ = [
    "ENTRY_POINT_GROUP",
    "MANIFEST",
    "PACK_PATH_ENV",
    "PackDirectory",
    "PackLocation",
    "PackSearchPath",
    "bundled_dir",
    "bundled_names",
    "pack_search_path",
    "unlisted_files",
]

#: the environment variable of extra pack directories, separated by ``os.pathsep``
PACK_PATH_ENV = "ASSESS_RULES_PACK_PATH"
#: the entry point group through which Python packages offer packs
ENTRY_POINT_GROUP = "assess_rules.packs"
#: the file, in the bundled packs' folder, that lists the bundled packs one name a line
MANIFEST = "bundled-packs.txt"

Origin = Literal["pack-dir", "environment", "entry-point", "bundled"]


def bundled_dir(kind: str) -> Path:
    """The directory of bundled ``policies`` or ``schemas``, installed or in a checkout."""
    packaged = resources.files("assess_rules") / "_bundled" / kind
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled {kind} not found (looked in {packaged} and {checkout})")


def bundled_names(directory: Path | None = None) -> list[str]:
    """The names the manifest of ``directory`` (default: the bundled packs' folder) lists,
    sorted: the bundled packs, whatever other files lie beside them.

    >>> "generic_s17" in bundled_names()
    True
    """
    folder = bundled_dir("policies") if directory is None else directory
    manifest = folder / MANIFEST
    try:
        text = manifest.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            f"the list of bundled packs cannot be read: {exc.strerror or exc}", file=str(manifest)
        ) from None
    names = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return sorted(name for name in names if name)


def _pack_names(folder: Path) -> list[str]:
    """Names of the packs in ``folder``: ``<name>.yaml`` files, not scenario files
    (``x.scenarios.yaml``) nor dated versions (``x@1.0.0.yaml``)."""
    try:
        files = sorted(folder.glob("*.yaml"))
    except OSError:  # pragma: no cover - a folder that vanished while listed
        return []
    return [p.stem for p in files if "." not in p.stem and "@" not in p.stem and p.is_file()]


def unlisted_files(directory: Path | None = None) -> list[Path]:
    """Packs lying in the bundled folder that its manifest does not list (a council pack
    put in ``policies/`` of a checkout): not bundled, never found by name, never tested by
    the project's own tests; :command:`assess-rules list` points at them."""
    folder = bundled_dir("policies") if directory is None else directory
    listed = set(bundled_names(folder))
    return [folder / f"{name}.yaml" for name in _pack_names(folder) if name not in listed]


@dataclass(frozen=True)
class PackDirectory:
    """One place on the search path."""

    #: the folder holding ``<name>.yaml`` files
    path: Path
    #: how it came onto the path
    origin: Origin
    #: how messages and ``assess-rules list`` name it, e.g. ``--pack-dir``,
    #: ``ASSESS_RULES_PACK_PATH``, ``entry point 'northshire' (northshire-packs 1.0)``
    label: str
    #: the only names found here (the bundled folder: its manifest); ``None``: every pack
    only: frozenset[str] | None = None

    def names(self) -> list[str]:
        """The pack names this place holds."""
        names = _pack_names(self.path)
        return names if self.only is None else [n for n in names if n in self.only]

    def find(self, name: str) -> Path | None:
        """``<name>.yaml`` here, or ``None``."""
        if self.only is not None and name not in self.only:
            return None
        candidate = self.path / f"{name}.yaml"
        return candidate if candidate.is_file() else None

    def __str__(self) -> str:
        return self.label if self.origin == "bundled" else f"{self.label} {self.path}"


@dataclass(frozen=True)
class PackLocation:
    """Where a pack name resolves, and the places it hides."""

    name: str
    path: Path
    directory: PackDirectory
    #: later places on the path that also hold this name, hidden by this one
    shadows: tuple[PackDirectory, ...] = ()


@dataclass(frozen=True)
class PackSearchPath:
    """The places a pack name is looked for, first first."""

    directories: tuple[PackDirectory, ...]
    #: places that could not be put on the path (a directory that is not there, an entry
    #: point that does not load), in words; they never stop a pack being found elsewhere
    problems: tuple[str, ...] = field(default=())

    def find(self, name: str) -> Path | None:
        """The file of the pack ``name``, from the first place that holds one."""
        for directory in self.directories:
            found = directory.find(name)
            if found is not None:
                return found
        return None

    def names(self) -> list[str]:
        """Every pack name found anywhere on the path, sorted."""
        return sorted({name for d in self.directories for name in d.names()})

    def packs(self) -> list[PackLocation]:
        """Every pack name, where it resolves, and the places it shadows, by name."""
        seen: dict[str, list[tuple[PackDirectory, Path]]] = {}
        for directory in self.directories:
            for name in directory.names():
                seen.setdefault(name, []).append((directory, directory.path / f"{name}.yaml"))
        return [
            PackLocation(name, places[0][1], places[0][0], tuple(d for d, _ in places[1:]))
            for name, places in sorted(seen.items())
        ]

    def in_front(self, folders: Iterable[str | Path]) -> PackSearchPath:
        """This path with ``folders`` searched first (as ``--pack-dir``)."""
        extra = tuple(_given(folders))
        return PackSearchPath(extra + self.directories, self.problems)

    def describe(self) -> str:
        """The places searched, in order, for a message."""
        return "; ".join(str(d) for d in self.directories)


def _given(folders: Iterable[str | Path]) -> Iterator[PackDirectory]:
    for folder in folders:
        path = Path(folder)
        if not path.is_dir():
            raise PolicyError(
                "not a directory, so no pack can be looked for in it (given as --pack-dir "
                "or in search_path)",
                file=str(path),
            )
        yield PackDirectory(path, "pack-dir", "--pack-dir")


def pack_search_path(
    pack_dirs: Iterable[str | Path] = (),
    *,
    environ: Mapping[str, str] | None = None,
    entry_points: bool = True,
) -> PackSearchPath:
    """The search path: ``pack_dirs`` first, then ``ASSESS_RULES_PACK_PATH`` (read from
    ``environ``, by default the process's environment, now), then the entry points of the
    installed distributions (unless ``entry_points=False``), then the bundled packs.

    A directory in ``pack_dirs`` that is not there is a :class:`PolicyError`; one in the
    environment variable, or an entry point that cannot be loaded, is kept in ``problems``
    (and named when a pack is not found), so that one stale setting does not stop every
    other pack being found.
    """
    problems: list[str] = []
    directories = list(_given(pack_dirs))
    env = os.environ if environ is None else environ
    for entry in env.get(PACK_PATH_ENV, "").split(os.pathsep):
        if not entry.strip():
            continue
        path = Path(entry)
        if path.is_dir():
            directories.append(PackDirectory(path, "environment", PACK_PATH_ENV))
        else:
            problems.append(f"{PACK_PATH_ENV} names {entry}, which is not a directory")
    if entry_points:
        for point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=_point_key):
            label = f"entry point {point.name!r} ({_distribution(point)})"
            try:
                path = _entry_point_folder(point)
            except Exception as exc:  # foreign code: whatever it raises is its problem
                problems.append(f"{label} cannot be loaded ({type(exc).__name__})")
                continue
            if path.is_dir():
                directories.append(PackDirectory(path, "entry-point", label))
            else:
                problems.append(f"{label} names {path}, which is not a directory")
    folder = bundled_dir("policies")
    directories.append(PackDirectory(folder, "bundled", "bundled", frozenset(bundled_names())))
    return PackSearchPath(tuple(directories), tuple(problems))


def _point_key(point: metadata.EntryPoint) -> tuple[str, str]:
    return point.name, point.value


def _distribution(point: metadata.EntryPoint) -> str:
    dist = getattr(point, "dist", None)
    if dist is None:  # pragma: no cover - entry points always come from a distribution here
        return "unknown distribution"
    return f"{dist.name} {dist.version}"


def _entry_point_folder(point: metadata.EntryPoint) -> Path:
    """The folder an entry point names: a module's folder (found without running it where
    it is a top-level module), or a directory held by a module attribute (a path, a string
    or an ``importlib.resources`` traversable)."""
    if point.attr is None:
        spec = importlib.util.find_spec(point.module)
        if spec is None:
            raise ModuleNotFoundError(point.module)
        if spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations)))
        if spec.origin:
            return Path(spec.origin).parent
        raise ModuleNotFoundError(point.module)  # pragma: no cover - a namespace oddity
    value = point.load()
    if isinstance(value, ModuleType):
        return _module_folder(value)
    if isinstance(value, str | os.PathLike):
        return Path(value)
    if isinstance(value, Traversable):
        return Path(str(value))
    raise TypeError(f"an entry point of {ENTRY_POINT_GROUP} names a folder, not {type(value)}")


def _module_folder(module: ModuleType) -> Path:
    locations = getattr(module, "__path__", None)
    if locations:
        return Path(next(iter(locations)))
    if module.__file__:
        return Path(module.__file__).parent
    raise ModuleNotFoundError(module.__name__)  # pragma: no cover - a namespace oddity

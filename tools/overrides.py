"""Checks of command-line overrides before Hydra starts, so bad input gets one clear message and exit status 2.

Hydra would refuse most bad overrides too, but with exit status 1, with
messages that do not list what is allowed, and (for an unknown key) with the
misleading hint to add a '+'. These checks name the key, suggest the nearest
known one, and list the allowed keys or options.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samenkracht.sim.errors import InputError

if TYPE_CHECKING:
    from omegaconf import DictConfig

    from samenkracht.sim.config import SimConfig

#: conf/ beside the package (absolute: Hydra would read a relative config path as a Python module path).
CONF_DIR = Path(__file__).resolve().parent.parent / "conf"

#: Flags after which Hydra does something other than one plain run; overrides are then left to Hydra.
HYDRA_FLAGS = (
    "-m",
    "--multirun",
    "--cfg",
    "-c",
    "--help",
    "-h",
    "--hydra-help",
    "--info",
    "-i",
    "--resolve",
    "--shell-completion",
    "-sc",
    "--package",
    "-p",
    "--config-path",
    "-cp",
    "--config-name",
    "-cn",
    "--config-dir",
    "-cd",
    "--experimental-rerun",
)


def open_actions(argv: list[str]) -> list[str]:
    """Let overrides of ``scenario.actions.*`` add keys as well as change them (Hydra's ``++``).

    A scenario file lists only the parameters it changes; a user must be able
    to set any other parameter, or add an action, without knowing Hydra's '+'.
    The action registry then checks every key and names the known ones.
    """
    out = []
    for arg in argv:
        key = arg.split("=", 1)[0]
        if "=" in arg and key.lstrip("+").startswith("scenario.actions."):
            arg = "++" + arg.lstrip("+")
        out.append(arg)
    return out


def search_dirs(argv: list[str]) -> list[Path]:
    """The folders a ``hydra.searchpath=[file:///path, ...]`` override adds to the configuration, in order.

    A user keeps their own scenarios (``DIR/scenario/NAME.yaml``) or populations outside the installed
    package this way; Hydra searches them after the shipped configuration. ``pkg://`` entries are Hydra's
    to find and are not listed here.
    """
    dirs: list[Path] = []
    for arg in argv:
        key, _, value = arg.partition("=")
        if key.lstrip("+~") != "hydra.searchpath":
            continue
        for entry in value.strip().strip("[]").split(","):
            entry = entry.strip().strip("'\"")
            if entry.startswith("file://"):
                folder = Path(entry.removeprefix("file://"))
                if not folder.is_dir():
                    raise InputError(
                        f"hydra.searchpath: {folder} is not a folder. Give the folder that holds your scenario/ "
                        "(or population/) folder, as an absolute path: hydra.searchpath=[file:///path/to/folder]."
                    )
                dirs.append(folder)
    return dirs


def config_groups(conf_dir: Path, extra_dirs: list[Path] | None = None) -> dict[str, list[str]]:
    """Config groups in conf/ (and in the folders of ``extra_dirs``) and their options (YAML file names)."""
    groups: dict[str, set[str]] = {}
    for root in [Path(conf_dir), *(extra_dirs or [])]:
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
            groups.setdefault(folder.name, set()).update(f.stem for f in folder.glob("*.yaml"))
    return {name: sorted(options) for name, options in sorted(groups.items())}


def check_key(schema: type, key: str) -> None:
    """Walk a dotted key through the schema dataclasses; raise InputError at the first unknown part."""
    node: Any = schema
    parts = key.split(".")
    for i, part in enumerate(parts):
        if not (isinstance(node, type) and dataclasses.is_dataclass(node)):
            return  # below a free-form node (a scenario's actions): checked later by the registry
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            where = ".".join(parts[:i]) or "the top level"
            close = difflib.get_close_matches(part, fields, n=1)
            hint = f" Did you mean '{'.'.join(parts[:i] + close + parts[i + 1 :])}'?" if close else ""
            raise InputError(f"unknown key '{key}'.{hint} Keys at {where}: {', '.join(sorted(fields))}.")
        node = _field_type(node, fields[part])


def _field_type(owner: type, f: dataclasses.Field) -> Any:
    default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default  # type: ignore[misc]
    return type(default) if dataclasses.is_dataclass(default) else None


def precheck(argv: list[str], conf_dir: Path, schema: type) -> None:
    """Check plain ``key=value`` overrides of a single run; raise InputError naming the problem."""
    if any(a.split("=")[0] in HYDRA_FLAGS for a in argv):
        return
    extra = search_dirs(argv)
    groups = config_groups(conf_dir, extra)
    for arg in argv:
        if "=" not in arg:
            raise InputError(f"'{arg}' is not an override: write key=value (for example population.size=2000).")
        key, value = arg.split("=", 1)
        key = key.lstrip("+~")
        if (
            key.startswith(("hydra.", "hydra/")) or key == "hydra"
        ):  # Hydra's own settings and groups (hydra/launcher=joblib)
            continue
        if key in groups:
            if value not in groups[key]:
                where = ", ".join(f"{Path(d, key)}/" for d in [conf_dir, *extra])
                raise InputError(
                    f"{key}={value}: no such {key}. Available: {', '.join(groups[key])} "
                    f"(files in {where}; add a YAML file there for a new one, or keep your own in a folder "
                    f"DIR/{key}/ and add hydra.searchpath=[file:///abs/path/to/DIR])."
                )
            continue
        check_key(schema, key)


def compose(overrides: list[str], conf_dir: Path = CONF_DIR, config_name: str = "config") -> DictConfig:
    """Compose ``conf_dir/config_name`` with the overrides through Hydra's compose API, as the commands do.

    Hydra's composition errors (they carry the key and the bad value) become
    an InputError in one line.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from samenkracht.tools.config_store import register_configs

    register_configs()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides))
    except Exception as err:  # noqa: BLE001 (Hydra's errors have no common base)
        raise InputError(first_lines(err)) from None
    finally:
        GlobalHydra.instance().clear()


def compose_check(argv: list[str], conf_dir: Path = CONF_DIR) -> SimConfig | None:
    """Compose the configuration as Hydra will and convert it, so type and range errors surface now.

    Returns the validated configuration, or None when a Hydra flag leaves the overrides to Hydra.
    """
    if any(a.split("=")[0] in HYDRA_FLAGS for a in argv):
        return None
    from samenkracht.tools.config_store import to_sim_config

    kept = [a for a in argv if not a.lstrip("+~").startswith("hydra") or a.lstrip("+~").startswith("hydra.searchpath=")]
    return to_sim_config(compose(kept, conf_dir))


def first_lines(err: BaseException) -> str:
    """An error's message and its cause's on one line, without OmegaConf's object_type/reference_type lines."""
    text = str(err).strip()
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text = f"{text}: {str(cause).strip()}"
    lines = [
        ln.strip()
        for ln in text.splitlines()
        if ln.strip() and not ln.strip().startswith(("object_type", "reference_type"))
    ]
    return " ".join(lines)

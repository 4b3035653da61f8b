"""Hydra launchers chosen on the command line: checked before anything runs, and shared by the tools.

``samenkracht -m hydra/launcher=NAME hydra.launcher.KEY=VALUE ...`` picks one of
Hydra's launchers. :func:`check` refuses, before a sweep directory exists, a
launcher that does not exist, a setting it does not have, and -- for SLURM -- a
cluster whose commands are missing or whose controller does not answer, a
partition or account the cluster does not know.

``samenkracht-compare`` and ``samenkracht-sensitivity`` take the same two kinds
of argument and send their runs through the same submitit launcher
(``slurm``, ``submitit_slurm`` or ``submitit_local``): :func:`from_argv` picks
them out of a command line, :meth:`Launcher.map` runs picklable tasks as one
job array and yields each result as its job ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samenkracht.sim.errors import InputError
from samenkracht.tools.overrides import CONF_DIR

GROUP = "hydra/launcher"
#: Launchers whose runs go through submitit, which is what samenkracht-compare and samenkracht-sensitivity can use.
SUBMITIT_TARGETS = {
    "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher": "slurm",
    "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher": "local",
}
#: Seconds a SLURM command may take to answer before the cluster counts as unreachable.
SLURM_TIMEOUT_S = 60
MULTIRUN_FLAGS = ("-m", "--multirun")


def is_launcher_arg(arg: str) -> bool:
    """``hydra/launcher=NAME`` or ``hydra.launcher.KEY=VALUE`` (with Hydra's + / ++ / ~ prefixes)."""
    key = arg.split("=", 1)[0].lstrip("+~")
    return "=" in arg and (key == GROUP or key.startswith("hydra.launcher."))


def split(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the launcher arguments, every other argument), each in command-line order."""
    chosen = [a for a in argv if is_launcher_arg(a)]
    return chosen, [a for a in argv if not is_launcher_arg(a)]


@dataclass(frozen=True)
class Launcher:
    """A launcher chosen on the command line, composed and checked."""

    name: str  #: the option of hydra/launcher, e.g. slurm
    target: str  #: the Hydra launcher class
    params: dict[str, Any] = field(default_factory=dict)  #: its settings (hydra.launcher.*), resolved
    args: tuple[str, ...] = ()  #: the command-line arguments it came from

    @property
    def cluster(self) -> str | None:
        """submitit's name for where the jobs run (slurm, local), or None for a launcher that is not submitit's."""
        return SUBMITIT_TARGETS.get(self.target)

    @property
    def is_slurm(self) -> bool:
        return self.cluster == "slurm"

    def executor(self, folder: Path, name: str) -> Any:
        """A submitit executor with this launcher's settings, built as hydra-submitit-launcher builds it; logs in
        ``folder``."""
        import submitit
        from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
        from omegaconf import OmegaConf

        assert self.cluster is not None, self.name
        params = {k: v for k, v in self.params.items() if k not in ("_target_", "submitit_folder")}
        params["name"] = name
        init = {f"{self.cluster}_max_num_timeout": params.pop("max_num_timeout")} if "max_num_timeout" in params else {}
        executor = submitit.AutoExecutor(folder=str(Path(folder) / "%j"), cluster=self.cluster, **init)
        base = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(**{k if k in base else f"{self.cluster}_{k}": v for k, v in params.items()})
        return executor

    def map(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], folder: Path, name: str, poll_s: float = 1.0
    ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """Run ``fn(task)`` for every task as one job array; yield ``(index, result, None)`` as each job ends,
        or ``(index, None, error)`` for a job that failed, was cancelled or hit its time limit."""
        import submitit

        if not tasks:
            return
        jobs = self.executor(folder, name).map_array(fn, list(tasks))
        index = {job.job_id: i for i, job in enumerate(jobs)}
        for job in submitit.helpers.as_completed(jobs, poll_frequency=poll_s):
            try:
                yield index[job.job_id], job.result(), None
            except Exception as err:  # noqa: BLE001 (submitit's failed, cancelled or timed-out job)
                yield index[job.job_id], None, err

    def describe(self) -> str:
        keys = ("partition", "account", "timeout_min", "mem_gb", "array_parallelism")
        shown = ", ".join(f"{k}={self.params[k]}" for k in keys if self.params.get(k) is not None)
        return f"hydra/launcher={self.name}" + (f" ({shown})" if shown else "")


def compose(args: Sequence[str], job_name: str = "samenkracht") -> Launcher:
    """Compose Hydra's configuration with the launcher arguments; refuse an unknown launcher or setting."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from samenkracht.tools.config_store import register_configs

    register_configs()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3", job_name=job_name):
            available = GlobalHydra.instance().config_loader().get_group_options(GROUP)
            for arg in args:
                key, _, value = arg.partition("=")
                if key.lstrip("+~") == GROUP and value not in available:
                    raise InputError(
                        f"{GROUP}={value}: no such launcher. Available: {', '.join(available)} "
                        f"(files in {CONF_DIR / 'hydra' / 'launcher'}/ or installed Hydra launcher plugins; "
                        f"pip install -e '.[sweep]' installs joblib and submitit)."
                    )
            try:
                cfg = hydra_compose(
                    config_name="config", overrides=[*args, "hydra.sweep.dir=."], return_hydra_config=True
                )
            except Exception as err:  # noqa: BLE001 (Hydra's composition errors have no common base)
                raise InputError(_composition_error(err, args, hydra_compose)) from None
            name = cfg.hydra.runtime.choices.get(GROUP, "basic")
            params = OmegaConf.to_container(cfg.hydra.launcher, resolve=True)
    finally:
        GlobalHydra.instance().clear()
    return Launcher(name=str(name), target=str(params.get("_target_", "")), params=params, args=tuple(args))


def _composition_error(err: BaseException, args: Sequence[str], hydra_compose: Callable[..., Any]) -> str:
    """One line for a launcher setting Hydra refused: the setting, what is wrong, and the launcher's settings."""
    cause = err.__cause__ or err.__context__
    text = " ".join(f"{err} {cause if cause is not None and str(cause) not in str(err) else ''}".split())
    text = text.split(" full_key:")[0]
    bad = [a for a in args if a.split("=", 1)[0].lstrip("+~") in text and a.lstrip("+~").startswith("hydra.launcher.")]
    if not bad:
        return f"{' '.join(args)}: {text}"
    key = bad[0].split("=", 1)[0].lstrip("+~")
    node = hydra_compose(
        config_name="config", overrides=[a for a in args if a.lstrip("+~").startswith(GROUP)], return_hydra_config=True
    ).hydra.launcher
    settings = [str(k) for k in node if k != "_target_"]
    name = _name_of(args)
    if not settings:
        return f"{key}: {GROUP}={name} has no settings; choose a launcher first, e.g. {GROUP}=joblib or {GROUP}=slurm."
    if key.split(".", 2)[2].split(".")[0] not in settings:
        return f"{key}: {GROUP}={name} has no such setting. Its settings: {', '.join(settings)}."
    return f"{bad[0]}: {text}"


def _name_of(args: Sequence[str]) -> str:
    names = [a.split("=", 1)[1] for a in args if a.split("=", 1)[0].lstrip("+~") == GROUP]
    return names[-1] if names else "basic"


def check(argv: Sequence[str]) -> Launcher | None:
    """Check the launcher of a ``samenkracht`` command line; raise InputError naming the setting and the fix.

    Without launcher arguments, None (Hydra's basic launcher). A launcher named
    for a single run is only checked to exist (Hydra uses launchers for
    multiruns only); for a multirun a SLURM launcher's cluster is asked too.
    """
    args, _ = split(argv)
    if not args:
        return None
    launcher = compose(args)
    if launcher.is_slurm and any(a in MULTIRUN_FLAGS for a in argv):
        check_slurm(launcher)
    return launcher


def for_tool(argv: Sequence[str], prog: str) -> tuple[Launcher | None, list[str]]:
    """The launcher of a samenkracht-compare or samenkracht-sensitivity command line, checked, and the other
    arguments. Only submitit's launchers can take these tools' runs."""
    args, rest = split(argv)
    if not args:
        return None, rest
    launcher = compose(args, job_name=prog)
    if launcher.name == "basic":
        return None, rest
    if launcher.cluster is None:
        raise InputError(
            f"{GROUP}={launcher.name}: {prog} cannot send its runs through this launcher. Use "
            f"{GROUP}=slurm (a SLURM cluster) or {GROUP}=submitit_local, or leave {GROUP} out and "
            f"give jobs=N for N local processes."
        )
    jobs = [a for a in rest if a.split("=", 1)[0] == "jobs"]
    if jobs:
        limit = "hydra.launcher.array_parallelism=N" if launcher.is_slurm else "the number of runs"
        raise InputError(
            f"{jobs[-1]} and {GROUP}={launcher.name}: jobs= counts local processes; with a launcher "
            f"the runs at once are set by {limit}. Leave jobs= out."
        )
    if launcher.is_slurm:
        check_slurm(launcher)
    return launcher, rest


# -- SLURM -----------------------------------------------------------------------------------------------------------


def _slurm(command: list[str], what: str) -> str:
    """Run a SLURM client command; raise InputError if the cluster does not answer."""
    conf = os.environ.get("SLURM_CONF")
    where = f"SLURM_CONF={conf}" if conf else "SLURM's configuration (/etc/slurm/slurm.conf, or SLURM_CONF=PATH)"
    fix = (
        f"Start it on the cluster's login node, or check that the cluster's controller (slurmctld) runs "
        f"and that {where} names it; then run the same command again."
    )
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=SLURM_TIMEOUT_S, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            f"{GROUP}=slurm: the SLURM cluster did not answer within {SLURM_TIMEOUT_S} s "
            f"({' '.join(command)}, {what}). {fix}"
        ) from None
    if proc.returncode != 0:
        lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        said = lines[-1].removeprefix(f"{command[0]}: ") if lines else f"exit status {proc.returncode}"
        raise InputError(f"{GROUP}=slurm: the SLURM cluster cannot be reached ({command[0]}: {said}). {fix}")
    return proc.stdout


def partitions() -> tuple[list[str], str | None]:
    """The cluster's partitions and its default one (sinfo)."""
    names, default = [], None
    for line in _slurm(["sinfo", "-h", "-o", "%P"], "listing the partitions").split():
        name = line.strip()
        if name.endswith("*"):
            name = name[:-1]
            default = name
        if name and name not in names:
            names.append(name)
    return names, default


def accounts(user: str) -> list[str] | None:
    """The accounts ``user`` may charge, or None where the cluster keeps no accounts (sacctmgr answers nothing)."""
    if shutil.which("sacctmgr") is None:
        return None
    try:
        proc = subprocess.run(
            ["sacctmgr", "-nP", "show", "associations", f"user={user}", "format=account"],
            check=False,
            capture_output=True,
            text=True,
            timeout=SLURM_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    return sorted({ln.strip() for ln in proc.stdout.splitlines() if ln.strip()}) or None


def check_slurm(launcher: Launcher) -> None:
    """Refuse, before anything is submitted, a cluster that cannot be reached, an unknown partition or account."""
    missing = [c for c in ("sbatch", "sinfo", "squeue") if shutil.which(c) is None]
    if missing:
        raise InputError(
            f"{GROUP}={launcher.name}: SLURM's commands ({', '.join(missing)}) are not on this machine's PATH, so "
            f"no SLURM cluster can be reached from here. Start the sweep on the cluster's login node, or choose a "
            f"launcher for this machine: {GROUP}=joblib (parallel processes) or no {GROUP} at all."
        )
    names, default = partitions()
    partition = launcher.params.get("partition")
    if partition is not None:
        wanted = [p.strip() for p in str(partition).split(",")]
        unknown = [p for p in wanted if p not in names]
        if unknown:
            listed = ", ".join(f"{n} (the default)" if n == default else n for n in names)
            raise InputError(
                f"hydra.launcher.partition={partition}: the cluster has no partition "
                f"{', '.join(map(repr, unknown))}. Its partitions: {listed}. Give one of them, or leave "
                f"hydra.launcher.partition out for the default one."
            )
    elif default is None:
        raise InputError(
            f"hydra.launcher.partition is not set and the cluster has no default partition: give "
            f"hydra.launcher.partition=NAME, one of {', '.join(names) or '(none found by sinfo)'}."
        )
    account = launcher.params.get("account")
    if account is not None:
        import getpass

        user = getpass.getuser()
        known = accounts(user)
        if known is not None and str(account) not in known:
            raise InputError(
                f"hydra.launcher.account={account}: {user} has no SLURM account {account!r} on this "
                f"cluster. Accounts of {user}: {', '.join(known)}. Give one of them, or leave "
                f"hydra.launcher.account out for your default account."
            )

"""The configuration schema in Hydra's ConfigStore, and a composed configuration turned into a checked SimConfig.

Hydra merges the YAML files in conf/ and the command-line overrides onto the
schema (samenkracht.sim.config.SimConfig), so an unknown key or a value of the
wrong type is refused before anything runs; ``validate`` then checks every range.
"""

from __future__ import annotations

from typing import Any

from hydra.core.config_store import ConfigStore

from samenkracht.sim.config import SimConfig


def register_configs() -> None:
    """Register the schema under the name the primary config (conf/config.yaml) starts from."""
    cs = ConfigStore.instance()
    cs.store(name="samenkracht_schema", node=SimConfig)


def to_sim_config(cfg: Any) -> SimConfig:
    """Turn a composed DictConfig (Hydra's ``hydra`` key excluded) into a validated SimConfig."""
    from omegaconf import OmegaConf

    from samenkracht.sim.errors import InputError
    from samenkracht.sim.params import validate

    try:
        container = OmegaConf.to_container(cfg, resolve=True)
    except Exception as err:  # an interpolation that does not resolve
        raise InputError(f"the configuration does not resolve: {err}") from None
    container.pop("hydra", None)
    try:
        merged = OmegaConf.merge(OmegaConf.structured(SimConfig), container)
        config = OmegaConf.to_object(merged)
    except Exception as err:
        raise InputError(f"{err}".strip()) from None
    validate(config)
    from samenkracht.sim.actions import build_actions

    # Checked now, so a bad action fails before anything runs; the wijk names are checked when the model is built.
    build_actions(config.scenario, None)
    return config

"""Skeleton content files for ``vanban new``: a commented plan, or a report listing
every target of a plan so the clerk only fills in numbers. The wording is in
``templates/moi/*.yaml.j2``."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .. import atomic, workspace
from ..content import source
from ..errors import Collector
from ..model import Plan
from ..compose.templates import environment


def _yaml_scalar(value) -> str:
    """A YAML 1.2 double-quoted scalar, or a flow list of them (JSON is valid YAML)."""
    if isinstance(value, list):
        return json.dumps([str(v) for v in value], ensure_ascii=False)
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _env(near: Path):
    env = environment(tuple(workspace.user_template_dirs(near))).overlay(finalize=None)
    env.filters = {**env.filters, "yaml": _yaml_scalar}
    return env


def plan_skeleton(near: Path, year: int | None = None) -> str:
    env = _env(near)  # the sandbox's limits hold for a clerk's own skeleton too
    return env.render(env.get_template("moi/ke-hoach.yaml.j2"),
                      {"nam": year or dt.date.today().year})


def report_skeleton(plan: Plan, plan_path: Path, report_path: Path) -> str:
    relative = os.path.relpath(Path(plan_path).resolve(), Path(report_path).resolve().parent)
    # The agency is written as the plan wrote it: a key into _co-quan.yaml stays a key.
    src = source.load(plan_path, Collector(plan_path))
    raw = src.data.get("co_quan") if src is not None else None
    agency = _yaml_scalar(raw) if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    env = _env(plan_path)
    return env.render(env.get_template("moi/bao-cao.yaml.j2"),
                      {"ke_hoach": plan, "duong_dan_ke_hoach": relative,
                       "co_quan_yaml": agency})


def write_new(path: Path, text: str) -> None:
    """Write a new file atomically; an existing file is never replaced."""
    with atomic.replacing(path, overwrite=False) as tmp:
        tmp.write_text(text, encoding="utf-8")

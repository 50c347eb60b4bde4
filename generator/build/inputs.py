"""What a document is made from, hashed: the key that decides whether to rebuild.

Inputs are named by absolute path (or a label such as ``định dạng``), so a
build run from any folder sees the same keys. A document's inputs are its content
file, every file that file refers to (the base of ``dua_tren``, the plan of a
report, a batch table, the ``_co-quan.yaml`` files it may read), the templates
it is rendered with as resolved through the user's overrides, the shipped fonts,
the output formats, the generator's version and, for a batch row, the row itself.
Never modification times: only content counts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jinja2 import TemplateNotFound

from .. import __version__, workspace
from ..content import attached, batch, source
from ..compose import templates
from ..errors import Collector
from ..fonts import FONT_DIR


class Hasher:
    """Digests and declared references, cached for one build (and across builds
    through ``known``: references only change when the file's bytes change)."""

    def __init__(self, known: dict | None = None):
        self.digests: dict[Path, str | None] = {}
        self.known = known if known is not None else {}  # digest -> declared refs
        self.template_cache: dict = {}
        self.base_cache: dict = {}

    def digest(self, path: Path) -> str | None:
        path = Path(path).resolve()
        if path not in self.digests:
            try:
                self.digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self.digests[path] = None
        return self.digests[path]

    def references(self, path: Path) -> dict:
        """``{"loai": …, "files": [paths the file names]}``, parsed once per version."""
        digest = self.digest(path)
        # An entry recorded before aggregate reports existed lacks "tong_hop": re-read.
        if digest in self.known and "tong_hop" in self.known[digest]:
            return self.known[digest]
        src = source.load(path, Collector(path))
        data = src.data if src is not None and isinstance(src.data, dict) else {}
        files = []
        for key in ("dua_tren", "ke_hoach"):
            if isinstance(data.get(key), str):
                files.append(data[key])
        spec = batch.spec_of(data)
        refs = {"loai": data.get("loai") if isinstance(data.get("loai"), str) else None,
                "files": files, "batch": spec is not None,
                # An aggregate report reads its units (aggregate.inputs); a unit's
                # figures are named in --explain.
                "tong_hop": data.get("tong_hop") if isinstance(data.get("tong_hop"), dict)
                else None,
                "ket_qua": {str(k): str(v) for k, v in data["ket_qua"].items()}
                if isinstance(data.get("ket_qua"), dict) else None,
                "xa": bool(spec and spec.get("xa_cua_tinh")),
                # An inline agency mapping reads no _co-quan.yaml.
                "agencies": not isinstance(data.get("co_quan"), dict),
                # The output name, so the build knows who writes which file.
                "ten_tep": str(data["ten_tep"]).strip()
                if isinstance(data.get("ten_tep"), (str, int)) else None,
                "ten_tep_line": src.line(("ten_tep",)) if src is not None and "ten_tep" in data
                else None}
        self.known[digest] = refs
        return refs

    def templates_for(self, path: Path, loai: str | None) -> list[Path]:
        user = tuple(workspace.user_template_dirs(path))
        key = (user, loai)
        if key not in self.template_cache:
            env = templates.environment(user)
            name = f"{loai}.j2" if loai in ("ke-hoach", "bao-cao", "quyet-dinh") else "ke-hoach.j2"
            try:
                files = templates.template_files(env, name)
                if loai == "quyet-dinh":  # the plan it issues prints through this one
                    files += [f for f in templates.template_files(env, "ke-hoach-kem.j2")
                              if f not in files]
                self.template_cache[key] = files
            except TemplateNotFound:  # the render names the missing template
                self.template_cache[key] = []
        return self.template_cache[key]


def _fonts(hasher: Hasher) -> dict:
    return {f"phông chữ {p.name}": hasher.digest(p) for p in sorted(FONT_DIR.glob("*.ttf"))}


def file_inputs(path: Path, hasher: Hasher, seen: set | None = None) -> dict[str, str | None]:
    """Digest of the content file and of everything it refers to, recursively."""
    path = Path(path).resolve()
    seen = seen if seen is not None else set()
    if path in seen:
        return {}
    seen.add(path)
    out = {str(path): hasher.digest(path)}
    refs = hasher.references(path)
    if refs["agencies"]:
        for agencies in workspace.agencies_files(path):
            out[str(agencies.resolve())] = hasher.digest(agencies)
    for name in refs["files"]:
        target = (path.parent / name).resolve()
        if not workspace.inside_content(path, target):
            continue  # never read: the document is refused (the readers say so)
        if refs["loai"] == "quyet-dinh":
            # Which decision a plan belongs to depends on the others naming it.
            # Absolute, as every input name here: the same from any working folder.
            out[f"quyết định kèm kế hoạch {target}"] = ", ".join(
                str(a.decision) for a in attached.attachments(target))
        out.update(file_inputs(target, hasher, seen))
    if refs.get("tong_hop"):
        from ..content.aggregate import inputs as unit_inputs_of

        out.update(unit_inputs_of(path, refs["tong_hop"], hasher,
                                  lambda p, h: file_inputs(p, h, seen)))
    if refs["xa"]:
        from importlib.metadata import version

        out["danh mục đơn vị hành chính"] = version("vietnam-provinces")
    return out


def _file_level(path: Path, formats, hasher: Hasher) -> dict[str, str | None]:
    """Inputs shared by every unit of one content file (all rows of a batch)."""
    key = (str(path), tuple(formats))
    if key not in hasher.base_cache:
        inputs = file_inputs(path, hasher)
        loai = hasher.references(path)["loai"]
        for template in hasher.templates_for(path, loai):
            inputs[str(Path(template).resolve())] = hasher.digest(template)
        inputs.update(_fonts(hasher))
        inputs["định dạng"] = ",".join(formats)
        inputs["phiên bản vanban"] = __version__
        hasher.base_cache[key] = inputs
    return hasher.base_cache[key]


def unit_inputs(unit, formats, hasher: Hasher) -> dict[str, str | None]:
    """Every input of one unit of work, by name; see the module docstring."""
    inputs = dict(_file_level(unit.path, formats, hasher))
    # A batch row depends on its own values, not on the whole table: changing
    # one row of the CSV rebuilds that row's document only.
    if unit.row is not None:
        inputs["dòng của bảng"] = hashlib.sha256(json.dumps(
            unit.row.values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        # … and cell by cell, so --explain names the figure a commune corrected.
        for column, value in unit.row.values.items():
            inputs[f"dòng của bảng, cột {column}"] = value
    return inputs


def key_of(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()

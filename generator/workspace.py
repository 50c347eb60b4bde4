"""Where things are: the content root, shared data files, user templates, outputs.

A workspace is a folder holding ``content/`` (and optionally ``templates/``).
Output paths mirror the content tree: ``content/qn/2023/kh.yaml`` becomes
``output/qn/2023/kh.docx``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import VanbanError

AGENCIES_FILE = "_co-quan.yaml"
CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"


def content_root(path: Path) -> Path:
    """The ``content`` folder above ``path``; failing that, the file's own folder."""
    path = Path(path).resolve()
    for parent in path.parents:
        if parent.name == CONTENT_DIR:
            return parent
    return path.parent


def inside_content(document: Path, named: Path) -> bool:
    """Whether a file a content file names (its plan, base, table, attached plan)
    lies inside that document's content folder. Anything else is never opened: a
    document's inputs are the clerk's workspace, not the machine's files."""
    return content_root(document) in Path(named).resolve().parents


def outside_content(document: Path, name: str, example: str | None = None) -> str | None:
    """Why the file ``name`` that ``document`` names (relative to its folder) may not
    be read, in Vietnamese, with an example of a name that would do; None when it
    lies inside the content folder."""
    if inside_content(document, Path(document).parent / name):
        return None
    root = content_root(document)
    example = example or "ke-hoach.yaml hoặc ../2023/ke-hoach.yaml"
    return (f"tệp {name} nằm ngoài thư mục {root.name} của thư mục làm việc; vanban chỉ đọc "
            f"các tệp trong đó. Hãy chép tệp vào thư mục content rồi ghi đường dẫn tính từ "
            f"tệp này, ví dụ {example}")


class OutsideWorkspace(ValueError):
    """A file (or working folder) that belongs to no workspace; the message is Vietnamese."""


def root_of(path: Path) -> Path:
    """The workspace a file or folder belongs to: the nearest folder, from ``path``
    upwards, that holds ``content/``. There is exactly one per file, so a number
    is always taken from that workspace's one register (Nghị định 30 Điều 15:
    one series per agency and year)."""
    path = Path(path).resolve()
    for folder in [path, *path.parents]:
        if folder.name == CONTENT_DIR and folder.is_dir():
            return folder.parent
        if (folder / CONTENT_DIR).is_dir():
            return folder
    raise OutsideWorkspace(
        f"{path}: không thuộc thư mục làm việc nào (không thấy thư mục {CONTENT_DIR}/ ở đây "
        "hay ở thư mục cha); hãy chạy lệnh trong thư mục làm việc")


def document_root(path: Path) -> Path:
    """The workspace of a document that may be numbered or archived: the file must
    lie under the workspace's ``content/``, where ``build`` sees it too. A file
    beside ``content/`` (where ``vanban new`` writes by default) is refused, so it
    can never open a second register."""
    path = Path(path).resolve()
    root = root_of(path.parent)
    content = root / CONTENT_DIR
    if content not in path.parents:
        raise OutsideWorkspace(
            f"{path.name}: tệp nằm ngoài thư mục {CONTENT_DIR}/ của thư mục làm việc {root}; "
            f"hãy chuyển tệp vào {CONTENT_DIR}/ (ví dụ {CONTENT_DIR}/{path.name}) rồi chạy lại. "
            "Chỉ văn bản trong content/ mới được cấp số và lưu trữ, để cả thư mục làm việc "
            "dùng chung một sổ đăng ký")
    return root


def agencies_files(path: Path) -> list[Path]:
    """``_co-quan.yaml`` files from the document's folder up to the content root,
    nearest first, so a sub-folder may define its own agencies."""
    path = Path(path).resolve()
    root = content_root(path)
    found = []
    for folder in [path.parent, *path.parent.parents]:
        candidate = folder / AGENCIES_FILE
        if candidate.is_file():
            found.append(candidate)
        if folder == root:
            break
    return found


def user_template_dirs(path: Path) -> list[Path]:
    """A ``templates/`` folder beside the content root overrides built-in ones."""
    candidate = content_root(path).parent / TEMPLATES_DIR
    return [candidate] if candidate.is_dir() else []


def is_document(path: Path) -> bool:
    """Files whose name starts with ``_`` are shared data, never documents."""
    return path.suffix in (".yaml", ".yml") and not path.name.startswith("_")


def find_documents(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and is_document(f)
                              and not any(part.startswith(".") for part in f.parts)))
        else:
            out.append(p)
    return out


class UnsafeOutputPath(VanbanError):
    """An output name that would leave the output folder."""


class NameTooLong(UnsafeOutputPath):
    pass


def is_plain_name(stem: str) -> bool:
    """An output name (``ten_tep``) is one file name: no folder, no ``..``, not hidden."""
    return not (not stem or stem in (".", "..") or "/" in stem or "\\" in stem
                or stem.startswith(".") or "\x00" in stem)


def is_too_long(stem: str) -> bool:
    """Longer than the documented limit, in characters or in UTF-8 bytes."""
    from .limits import MAX_NAME_BYTES, MAX_NAME_CHARS

    return len(stem) > MAX_NAME_CHARS or len(stem.encode("utf-8", "replace")) > MAX_NAME_BYTES


def output_stem(doc_path: Path, out_dir: Path, name: str | None = None,
                batch: bool = False) -> Path:
    """The output path without extension, guaranteed to stay inside ``out_dir``.
    A batch's documents go to a folder named after the batch file."""
    doc_path = Path(doc_path).resolve()
    relative = doc_path.parent.relative_to(content_root(doc_path))
    if batch:
        relative = relative / doc_path.stem
    stem = name if name is not None else doc_path.stem
    if not is_plain_name(stem):
        raise UnsafeOutputPath(stem)
    if is_too_long(stem):
        raise NameTooLong(stem)
    out_dir = Path(out_dir).resolve()
    target = (out_dir / relative / stem).resolve()
    if out_dir not in target.parents:
        raise UnsafeOutputPath(stem)
    return target

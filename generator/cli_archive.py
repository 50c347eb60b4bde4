"""``vanban number``, ``vanban register …`` and ``vanban archive …``: the văn thư's
part of the workflow, after the leader has signed."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .errors import ContentError, display_path

from .clihelp import CONTEXT, Command, Group, say


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _date(ctx, param, value):
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value} không phải là ngày hợp lệ (NNNN-TT-NN)")


def _archive_dir(root: Path, option):
    from .numbering import NumberingError, archive_dir_for

    try:
        return archive_dir_for(root, option)
    except NumberingError as exc:
        _fail(str(exc))


def _checked_document(path: Path):
    from .validate import load_document

    try:
        return load_document(path)
    except ContentError as exc:
        say(exc.problems)
        _fail(f"{display_path(path)}: tệp có lỗi, hãy sửa (vanban check) trước.")


archive_option = click.option(
    "--archive", "archive", default=None, type=click.Path(file_okay=False),
    help="Thư mục lưu trữ và sổ đăng ký (mặc định: archive/ trong thư mục làm việc).")


@click.command("number", cls=Command, context_settings=CONTEXT)
@click.argument("file", type=click.Path())
@click.option("--date", "date", default=None, callback=_date,
              help="Ngày văn bản, NNNN-TT-NN (mặc định: hôm nay).")
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Thư mục ghi DOCX, PDF (mặc định: output/ trong thư mục làm việc).")
@archive_option
def number(file, date, out_dir, archive) -> None:
    """Cấp số và ngày cho văn bản đã ký: ghi vào sổ đăng ký văn bản đi, ghi so:
    và ngay: vào tệp YAML (giữ nguyên chú thích), rồi dựng bản DOCX, PDF chính thức.

    Số chạy theo cơ quan và năm, bắt đầu từ 01 mỗi ngày 1 tháng 1; văn bản đã có số
    không được cấp lại.
    """
    from .numbering import NumberingError, number as give_number, workspace_root
    from .batch import Unit
    from .writer import render_unit

    path = Path(file)
    if not path.is_file():
        _fail(f"{file}: không tìm thấy tệp")
    root = workspace_root(path)
    folder = _archive_dir(root, archive)
    _checked_document(path)
    try:
        so, doc = give_number(path, date, folder)
    except ContentError as exc:
        say(exc.problems)
        sys.exit(1)
    except NumberingError as exc:
        _fail(str(exc))
    click.echo(f"{display_path(path)}: số {so:02d}/{doc.ky_hieu}, ngày {doc.ngay:%d/%m/%Y}; "
               "đã ghi vào sổ đăng ký văn bản đi")
    try:
        outputs, warnings, _ = render_unit(Unit(path), Path(out_dir) if out_dir
                                           else root / "output")
    except ContentError as exc:
        say(exc.problems)
        _fail("Dựng bản chính thức không được; số đã cấp vẫn giữ trong sổ.")
    click.echo("→ " + ", ".join(display_path(o) for o in outputs))


@click.group("register", cls=Group, context_settings=CONTEXT)
def register_group() -> None:
    """Sổ đăng ký văn bản đi."""


@register_group.command("export", context_settings=CONTEXT)
@click.option("--year", "year", type=int, required=True, help="Năm của sổ.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "docx"]), default="xlsx",
              show_default=True, help="Định dạng in sổ.")
@click.option("-o", "--output", "out", default=None, type=click.Path(dir_okay=False),
              help="Tệp ghi sổ (mặc định: archive/so-dang-ky-van-ban-di-<năm>.<định dạng>).")
@click.option("--co-quan", "agency", default=None, help="Chỉ in sổ của cơ quan này.")
@archive_option
def export(year, fmt, out, agency, archive) -> None:
    """In sổ đăng ký văn bản đi của một năm: bìa và đủ mười cột, theo thứ tự số."""
    from . import register

    root = Path.cwd()
    folder = _archive_dir(root, archive)
    target = Path(out) if out else folder / f"so-dang-ky-van-ban-di-{year}.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    db = register.connect(folder)
    try:
        count = register.export(db, year, fmt, target, agency)
    finally:
        db.close()
    click.echo(f"Đã in sổ năm {year}: {count} văn bản → {display_path(target)}")


@click.group("archive", cls=Group, context_settings=CONTEXT)
def archive_group() -> None:
    """Lưu trữ bản đã ký: thêm, kiểm tra, liệt kê."""


@archive_group.command("add", context_settings=CONTEXT)
@click.argument("signed", type=click.Path())
@click.option("--doc", "doc_file", required=True, type=click.Path(),
              help="Tệp YAML của văn bản (đã cấp số).")
@click.option("--replace", is_flag=True, help="Thay bản ký đã lưu (giữ bản cũ).")
@click.option("--reason", default=None, help="Lý do thay, bắt buộc khi --replace.")
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Thư mục kết quả dùng khi dựng bản lưu trữ PDF/A.")
@archive_option
def add(signed, doc_file, replace, reason, out_dir, archive) -> None:
    """Lưu bản đã ký (PDF ký số hoặc ảnh quét) của một văn bản đã cấp số, kèm bản
    PDF/A-3 có đính kèm tệp YAML và DOCX. Không bao giờ ghi đè."""
    from .archive import ArchiveError, add as store
    from .numbering import inside, workspace_root

    doc_path, signed_path = Path(doc_file), Path(signed)
    for p in (doc_path, signed_path):
        if not p.is_file():
            _fail(f"{p}: không tìm thấy tệp")
    root = Path.cwd()
    if not inside(doc_path, root):
        _fail(f"{doc_file}: tệp văn bản nằm ngoài thư mục làm việc {root}")
    folder = _archive_dir(workspace_root(doc_path), archive)
    if replace and not (reason or "").strip():
        _fail("--replace cần --reason \"lý do thay\"")
    doc = _checked_document(doc_path)
    try:
        stored = store(signed_path, doc, folder, Path(out_dir) if out_dir else root / "output",
                       replace=replace, reason=reason)
    except ArchiveError as exc:
        _fail(str(exc))
    for path in stored:
        click.echo(f"Đã lưu {display_path(path)}")


@archive_group.command("verify", context_settings=CONTEXT)
@archive_option
def verify(archive) -> None:
    """Tính lại mã băm mọi tệp đã lưu; liệt kê tệp mất hoặc bị thay đổi (mã 1 nếu có)."""
    from .archive import verify as check_all

    folder = _archive_dir(Path.cwd(), archive)
    count, problems = check_all(folder)
    for path, problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    if problems:
        _fail(f"{len(problems)}/{count} tệp lưu trữ có vấn đề.")
    click.echo(f"Đã kiểm tra {count} tệp lưu trữ: nguyên vẹn.")


@archive_group.command("list", context_settings=CONTEXT)
@click.option("--year", type=int, default=None, help="Năm.")
@click.option("--kind", type=click.Choice(["ke-hoach", "bao-cao"]), default=None,
              help="Loại văn bản.")
@click.option("--search", "text", default=None, help="Tìm trong trích yếu, ký hiệu, người ký.")
@archive_option
def list_(year, kind, text, archive) -> None:
    """Liệt kê các tệp đã lưu trữ."""
    from .archive import listing

    folder = _archive_dir(Path.cwd(), archive)
    rows = listing(folder, year, kind, text)
    for r in rows:
        state = "" if r["hieu_luc"] else " (đã thay)"
        signed = f", ký số: {r['nguoi_ky_so']}" if r["chu_ky"] == "hop-le" else ""
        click.echo(f"{r['so']:02d}/{r['ky_hieu']}\t{r['ngay']}\t{r['vai_tro']}{state}"
                   f"\t{r['duong_dan']}\t{r['ten_loai_trich_yeu']}{signed}")
    click.echo(f"{len(rows)} tệp.")

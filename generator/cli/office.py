"""``vanban number``, ``vanban register …`` and ``vanban archive …``: the văn thư's
part of the workflow, after the leader has signed."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ..errors import ContentError, display_path

from .help import CONTEXT, Command, Group, say

if TYPE_CHECKING:
    from ..office.numbering import Numbered


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _date(ctx, param, value):
    if value is None:
        return None  # today, said to the clerk by numbering
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value} không phải là ngày hợp lệ (NNNN-TT-NN)") from None


def _archive_dir(root: Path, option):
    from ..office.numbering import archive_dir_for

    return archive_dir_for(root, option)


def _here() -> Path:
    """The workspace of the working folder (the nearest folder holding content/)."""
    from .. import workspace

    try:
        return workspace.root_of(Path.cwd())
    except workspace.OutsideWorkspace as exc:
        _fail(str(exc))


def _doc_root(path: Path) -> Path:
    from ..office.numbering import NumberingError, workspace_root

    try:
        return workspace_root(path)
    except NumberingError as exc:
        _fail(str(exc))


def _checked_document(path: Path):
    from ..content.validate import load_document

    try:
        return load_document(path)
    except ContentError as exc:
        say(exc.problems)
        _fail(f"{display_path(path)}: tệp có lỗi, hãy sửa (vanban check) trước.")


archive_option = click.option(
    "--archive", "archive", default=None, type=click.Path(file_okay=False),
    help="Thư mục lưu trữ và sổ đăng ký (luôn là archive/ trong thư mục làm việc).")


@click.command("number", cls=Command, context_settings=CONTEXT)
@click.argument("file", type=click.Path())
@click.option("--date", "date", default=None, callback=_date,
              help="Ngày văn bản, NNNN-TT-NN (không ghi: hôm nay, có báo).")
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Thư mục ghi DOCX, PDF (mặc định: output/ trong thư mục làm việc).")
@archive_option
def number(file, date, out_dir, archive) -> None:
    """Cấp số và ngày cho văn bản đã ký: ghi vào sổ đăng ký văn bản đi, ghi so:
    và ngay: vào tệp YAML (mọi dòng khác giữ nguyên từng ký tự), rồi dựng bản DOCX,
    PDF chính thức. Từ đó văn bản đã ban hành: build, render không ghi lại nữa.

    Số chạy theo cơ quan và năm, bắt đầu từ 01 mỗi ngày 1 tháng 1; văn bản đã có số
    không được cấp lại; số cấp nhầm thì hủy (vanban register huy), không dùng lại.
    """
    from ..office.numbering import NumberingError, RenderFailed, refuse_attached
    from ..office.register import RegisterError

    path = Path(file)
    if not path.is_file():
        _fail(f"{file}: không tìm thấy tệp")
    root = _doc_root(path)
    try:
        refuse_attached(path)  # before anything is read, locked or written
    except NumberingError as exc:
        _fail(str(exc))
    folder = _archive_dir(root, archive)
    _checked_document(path)
    out = Path(out_dir) if out_dir else root / "output"
    try:
        result = _number_and_issue(path, date, folder, out)
    except ContentError as exc:
        say(exc.problems)
        sys.exit(1)
    except (NumberingError, RegisterError) as exc:
        _fail(str(exc))
    except RenderFailed as exc:
        _said(exc.numbered, path)
        say(exc.problems)
        _fail("Dựng bản chính thức không được; số đã cấp vẫn giữ trong sổ. Sửa lỗi rồi chạy "
              "lại lệnh này để dựng.")
    _said(result, path)
    for warning in dict.fromkeys(str(w) for w in result.warnings):
        click.echo(warning, err=True)
    click.echo("→ " + ", ".join(display_path(o) for o in result.outputs))


def _said(result, path: Path) -> None:
    for note in result.notes:
        click.echo(f"{display_path(path)}: {note}", err=True)
    doc = result.doc
    click.echo(f"{display_path(path)}: số {result.so:02d}/{doc.ky_hieu}, ngày "
               f"{doc.ngay:%d/%m/%Y}; đã ghi vào sổ đăng ký văn bản đi")


@click.group("register", cls=Group, context_settings=CONTEXT)
def register_group() -> None:
    """Sổ đăng ký văn bản đi: in sổ, hủy số cấp nhầm."""


@register_group.command("export", context_settings=CONTEXT)
@click.option("--year", "year", type=int, required=True, help="Năm của sổ.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "docx", "pdf"]),
              default="xlsx", show_default=True, help="Định dạng in sổ.")
@click.option("-o", "--output", "out", default=None, type=click.Path(dir_okay=False),
              help="Tệp ghi sổ (mặc định: archive/so-dang-ky-van-ban-di-<năm>.<định dạng>).")
@click.option("--co-quan", "agency", default=None, help="Chỉ in sổ của cơ quan này.")
@archive_option
def export(year, fmt, out, agency, archive) -> None:
    """In sổ đăng ký văn bản đi của một năm: bìa và đủ mười cột, theo thứ tự số
    (số đã hủy vẫn ở chỗ của nó, ghi chú lý do). Giá trị luôn là chữ, không bao giờ
    thành công thức trong bảng tính."""
    from ..office import register

    root = _here()
    folder = _archive_dir(root, archive)
    db = register.connect(folder, create=False)
    if db is None:
        _fail(f"{display_path(folder)}: chưa có sổ đăng ký (chưa cấp số văn bản nào)")
    target = Path(out) if out else folder / f"so-dang-ky-van-ban-di-{year}.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        count = register.export(db, year, fmt, target, agency)
    finally:
        db.close()
    click.echo(f"Đã in sổ năm {year}: {count} văn bản → {display_path(target)}")


@register_group.command("huy", context_settings=CONTEXT)
@click.argument("so")
@click.option("--ly-do", "reason", required=True, help="Lý do hủy (ghi vào sổ).")
@click.option("--nam", "year", type=int, default=None,
              help="Năm của số (khi nhiều năm có cùng số).")
@archive_option
def void(so, reason, year, archive) -> None:
    """Hủy số SO (ví dụ 01/KH-UBND) cấp nhầm: dòng trong sổ giữ nguyên, ghi lý do và
    thời điểm hủy; số đó không bao giờ được cấp lại. Văn bản cần số thì xóa dòng so:
    và ngay: trong tệp YAML rồi cấp số mới."""
    from ..office import register

    if not reason.strip():
        _fail("--ly-do không được để trống: sổ phải ghi lý do hủy")
    root = _here()
    folder = _archive_dir(root, archive)
    db = register.connect(folder, create=False)
    if db is None:
        _fail(f"{display_path(folder)}: chưa có sổ đăng ký (chưa cấp số văn bản nào)")
    try:
        with register.locked(folder):
            row = register.void(db, so, reason.strip(), year)
    except register.RegisterError as exc:
        _fail(str(exc))
    finally:
        db.close()
    click.echo(f"Đã hủy số {register.label(row)} năm {row['nam']} ({row['nguon']}): "
               f"{row['ly_do_huy']}. Số này không được cấp lại.")


@click.group("archive", cls=Group, context_settings=CONTEXT)
def archive_group() -> None:
    """Lưu trữ bản đã ký: thêm, kiểm tra, liệt kê."""


@archive_group.command("add", context_settings=CONTEXT)
@click.argument("signed", type=click.Path())
@click.option("--doc", "doc_file", required=True, type=click.Path(),
              help="Tệp YAML của văn bản (đã cấp số).")
@click.option("--replace", is_flag=True, help="Thay bản ký đã lưu (giữ bản cũ).")
@click.option("--reason", default=None, help="Lý do thay, bắt buộc khi --replace.")
@click.option("--dinh-kem", "attachment", is_flag=True,
              help="Thêm một tệp kèm theo của văn bản (bản quét, phụ lục), giữ bản ký.")
@click.option("--tin-cay", "roots", default=None, type=click.Path(file_okay=False),
              help="Thư mục chứng thư số gốc tin cậy (mặc định: chung-thu-goc/ trong thư "
                   "mục làm việc).")
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Thư mục kết quả dùng khi dựng bản lưu trữ PDF/A.")
@archive_option
def add(signed, doc_file, replace, reason, attachment, roots, out_dir, archive) -> None:
    """Lưu bản đã ký (PDF ký số hoặc ảnh quét) của một văn bản đã cấp số, kèm bản
    PDF/A-3 có đính kèm tệp YAML và DOCX. Không bao giờ ghi đè. Chữ ký số được kiểm
    tra chặt: nguyên vẹn, chứng thư còn hiệu lực lúc ký, dẫn tới chứng thư gốc tin cậy."""
    from ..office.archive import TRUST_DIR, ArchiveError, add as store
    from ..office.numbering import inside
    from ..office.register import RegisterError

    doc_path, signed_path = Path(doc_file), Path(signed)
    for p in (doc_path, signed_path):
        if not p.is_file():
            _fail(f"{p}: không tìm thấy tệp")
    root = _here()
    if not inside(doc_path, root):
        _fail(f"{doc_file}: tệp văn bản nằm ngoài thư mục làm việc {root}")
    if _doc_root(doc_path) != root:
        _fail(f"{doc_file}: tệp văn bản thuộc thư mục làm việc khác ({_doc_root(doc_path)})")
    folder = _archive_dir(root, archive)
    if replace and not (reason or "").strip():
        _fail("--replace cần --reason \"lý do thay\"")
    if roots is not None and not Path(roots).is_dir():
        _fail(f"{roots}: không tìm thấy thư mục chứng thư gốc")
    doc = _checked_document(doc_path)
    try:
        stored = store(signed_path, doc, folder, Path(out_dir) if out_dir else root / "output",
                       root, replace=replace, reason=reason, attachment=attachment,
                       roots_folder=Path(roots) if roots else root / TRUST_DIR)
    except (ArchiveError, RegisterError) as exc:
        _fail(str(exc))
    for index, (path, info) in enumerate(stored):
        click.echo(f"Đã lưu {display_path(path)}")
        if index == 0:  # the clerk's file; the PDF/A copy is vanban's own
            signer = f" (người ký: {info['nguoi_ky_so']})" if info.get("nguoi_ky_so") else ""
            click.echo(f"  chữ ký số: {info['chu_ky']} — {info['giai_thich']}{signer}")


@archive_group.command("verify", context_settings=CONTEXT)
@archive_option
def verify(archive) -> None:
    """Tính lại mã băm mọi tệp đã lưu; liệt kê tệp mất, bị thay đổi, hoặc tệp lạ không
    có trong sổ (mã 1 nếu có)."""
    from ..office.archive import verify as check_all
    from ..office.register import RegisterError

    folder = _archive_dir(_here(), archive)
    try:
        count, problems = check_all(folder)
    except RegisterError as exc:
        _fail(str(exc))
    for path, problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    if problems:
        _fail(f"{len(problems)} vấn đề trong {count} tệp lưu trữ.")
    click.echo(f"Đã kiểm tra {count} tệp lưu trữ: nguyên vẹn.")


@archive_group.command("list", context_settings=CONTEXT)
@click.option("--year", type=int, default=None, help="Năm.")
@click.option("--kind", type=click.Choice(["ke-hoach", "bao-cao"]), default=None,
              help="Loại văn bản.")
@click.option("--search", "text", default=None,
              help="Tìm trong số, ký hiệu, trích yếu, người ký (không phân biệt hoa thường, "
                   "có dấu hay không).")
@archive_option
def list_(year, kind, text, archive) -> None:
    """Liệt kê các tệp đã lưu trữ, với trạng thái chữ ký số."""
    from ..office.archive import listing

    folder = _archive_dir(_here(), archive)
    rows = listing(folder, year, kind, text)
    for r in rows:
        state = "" if r["hieu_luc"] else " (đã thay)"
        void = " (SỐ ĐÃ HỦY)" if r["huy"] else ""
        signed = f", ký số: {r['nguoi_ky_so']}" if r["nguoi_ky_so"] else ""
        click.echo(f"{r['so']:02d}/{r['ky_hieu']}{void}\t{r['ngay']}\t{r['vai_tro']}{state}"
                   f"\t{r['duong_dan']}\t{r['ten_loai_trich_yeu']}\tchữ ký: {r['chu_ky']}"
                   f"{signed}")
    click.echo(f"{len(rows)} tệp.")


def _number_and_issue(path: Path, date: dt.date | None, archive_dir: Path,
                     out_dir: Path) -> Numbered:
    """Number the document, then render its issued DOCX and PDF (RenderFailed if
    they cannot be; the number stays). The office stage gives the number; the build
    stage writes the files, so the command, which sees both, joins them."""
    from .. import atomic, faults
    from ..build.unit import FORMATS, output_stem, render_unit
    from ..content.batch import Unit
    from ..content.validate import load_document
    from ..errors import Problem
    from ..office.numbering import RenderFailed, document_lock, number

    doc = load_document(path)
    stem = output_stem(Unit(Path(path)), out_dir, doc)
    targets = [stem.with_name(f"{stem.name}.{fmt}") for fmt in FORMATS]
    with document_lock(archive_dir, path):
        result = number(path, date, archive_dir, targets)
        faults.point("number-before-render")
        try:
            with atomic.exclusive(out_dir):  # one writer per output folder, as build
                outputs, warnings, _ = render_unit(Unit(Path(path)), out_dir)
        except ContentError as exc:
            raise RenderFailed(result, exc.problems) from None
        except atomic.Busy:
            raise RenderFailed(result, [Problem(
                display_path(path), None, None,
                f"thư mục {display_path(Path(out_dir))} đang được một lệnh khác ghi quá "
                f"{atomic.LOCK_WAIT_SECONDS} giây")]) from None
        result.outputs, result.warnings = outputs, warnings
        faults.point("number-after-render")
    return result

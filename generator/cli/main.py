"""The ``vanban`` command: render and check content files.

Every clerk-facing message is Vietnamese; a mistake in the input prints
``tệp:dòng: trường: lỗi`` lines and exits with status 1, never a traceback.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .. import __version__, atomic
from ..errors import ContentError, display_path
from ..errors import VanbanError
from ..compose.builder import document_tree
from ..content.validate import check as check_file
from ..build.unit import FORMATS, render_file

from .help import CONTEXT, Group, say


def _formats(ctx, param, value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"định dạng không hỗ trợ: {', '.join(unknown) or '(trống)'}; "
            f"chọn trong: {', '.join(FORMATS)}")
    return chosen


def _documents(paths) -> list[Path]:
    missing = [p for p in paths if not Path(p).exists()]
    for p in missing:
        click.echo(f"{p}: không tìm thấy tệp hoặc thư mục", err=True)
    if missing:
        sys.exit(1)
    from ..content import attached

    # A plan a decision attaches is that decision's part, not a document of its own.
    found = attached.documents([Path(p) for p in paths])
    if not found:
        click.echo("Không có tệp nội dung (.yaml) nào để xử lý.", err=True)
        sys.exit(1)
    return found


def _stop_on_sigterm() -> None:
    """SIGTERM (a shutdown, ``kill``) stops like Ctrl-C: temporary files are
    removed and the manifest saved on the way out, instead of dying mid-write."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)


@contextmanager
def _output_folder(out: Path):
    """Hold the output folder for this command (one writer at a time)."""
    def waiting():
        click.echo(f"Thư mục kết quả {display_path(out)} đang được một lệnh vanban khác ghi; "
                   "đang chờ lệnh đó xong…", err=True)
    try:
        with atomic.exclusive(out, on_wait=waiting):
            yield
    except atomic.Busy:
        click.echo(f"Thư mục kết quả {display_path(out)} vẫn đang được một lệnh vanban khác "
                   f"ghi sau {atomic.LOCK_WAIT_SECONDS} giây; hãy chạy lại khi lệnh đó xong.",
                   err=True)
        sys.exit(1)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="vanban",
                      message="%(prog)s %(version)s", help="In phiên bản và thoát.")
def main() -> None:
    """vanban: soạn Kế hoạch, Báo cáo theo Nghị định 30/2020/NĐ-CP
    từ tệp nội dung YAML, xuất DOCX và PDF."""


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(file_okay=False), help="Thư mục ghi kết quả.")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              callback=_formats, help="Các định dạng xuất, cách nhau bởi dấu phẩy.")
def render(files, out_dir, formats) -> None:
    """Dựng văn bản từ FILES (tệp .yaml hoặc thư mục) ra DOCX và PDF.

    Kết quả nằm ở <OUTPUT>/<đường dẫn dưới content/>/<tên>.docx và .pdf.
    Tệp có lỗi không được ghi; tệp cũ (nếu có) giữ nguyên.
    """
    from ..build.runner import output_collisions, problems_of

    failed = 0
    documents = _documents(files)
    # Two of these documents writing one file: neither is written (both named).
    collisions = output_collisions(documents, Path(out_dir))
    say(collisions.values())
    colliding = {uid.split("#")[0] for uid in collisions}
    failed += len({str(Path(p).resolve()) for p in documents} & colliding)
    _stop_on_sigterm()
    with _output_folder(Path(out_dir)):
        for path in documents:
            if str(Path(path).resolve()) in colliding:
                continue
            try:
                outputs, warnings = render_file(path, Path(out_dir), formats)
            except Exception as exc:  # noqa: BLE001 - one file's failure, the rest go on
                failed += 1
                say(problems_of(exc, path))
                continue
            _said(path, outputs, warnings)
    if failed:
        click.echo(f"{failed} tệp có lỗi, không được dựng.", err=True)
        sys.exit(1)


def _said(path, outputs, warnings) -> None:
    for warning in dict.fromkeys(str(w) for w in warnings):
        click.echo(warning, err=True)
    click.echo(f"{display_path(path)} → " + ", ".join(display_path(o) for o in outputs))


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def check(paths) -> None:
    """Kiểm tra tệp nội dung (hoặc mọi tệp trong thư mục), in mọi lỗi.

    Thoát với mã 1 nếu có lỗi, 0 nếu không (cảnh báo không tính là lỗi).
    """
    from ..build.runner import output_collisions, problems_of

    errors = 0
    documents = _documents(paths)
    for path in documents:
        try:
            problems = check_file(path, compose=document_tree)
        except Exception as exc:  # noqa: BLE001 - one file's failure, the rest are checked
            problems = problems_of(exc, path)
        say(problems)
        errors += sum(1 for p in problems if not p.warning)
    collisions = list(output_collisions(documents).values())
    say(collisions)
    errors += len(collisions)
    if errors:
        click.echo(f"Có {errors} lỗi.", err=True)
        sys.exit(1)
    click.echo(f"Đã kiểm tra {len(documents)} tệp: không có lỗi.")


@main.command(context_settings=CONTEXT)
@click.argument("path", required=False, default="content", type=click.Path())
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(file_okay=False), help="Thư mục ghi kết quả.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Số tiến trình dựng song song (mặc định: số nhân CPU).")
@click.option("--force", is_flag=True, help="Dựng lại tất cả, kể cả văn bản không đổi.")
@click.option("--explain", is_flag=True, help="Nói vì sao từng văn bản được dựng lại.")
@click.option("--dry-run", is_flag=True, help="Chỉ liệt kê việc sẽ làm, không ghi gì.")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              callback=_formats, help="Các định dạng xuất, cách nhau bởi dấu phẩy.")
def build(path, out_dir, jobs, force, explain, dry_run, formats) -> None:
    """Dựng mọi văn bản trong PATH (mặc định content/), chỉ những văn bản có
    đầu vào thay đổi (nội dung, kế hoạch, bảng, mẫu, phông chữ, định dạng).

    Văn bản lỗi không làm dừng các văn bản khác; kết thúc với mã 1 và liệt kê lỗi.
    Tệp kết quả được ghi trọn vẹn hoặc giữ nguyên; tệp của văn bản đã xóa bị xóa theo.
    """
    from ..build import runner as builder

    if not Path(path).exists():
        click.echo(f"{path}: không tìm thấy tệp hoặc thư mục", err=True)
        sys.exit(1)
    out = Path(out_dir)
    if dry_run:
        _build(builder, path, out, jobs, force, explain, dry_run, formats)
        return
    _stop_on_sigterm()
    with _output_folder(out):
        _build(builder, path, out, jobs, force, explain, dry_run, formats)


def _build(builder, path, out, jobs, force, explain, dry_run, formats) -> None:
    """The build itself; for ``dry_run`` nothing is written."""
    manifest = builder.load_manifest(out)
    outcome = builder.Outcome()
    todo, current = builder.plan([Path(path)], out, formats, force, manifest, outcome)
    if explain or dry_run:
        for job in todo:
            click.echo(f"{'sẽ dựng' if dry_run else 'dựng'} {job.unit.label}: "
                       + "; ".join(job.reasons))
    if dry_run:
        builder.remove_stale(out, manifest, current, [Path(path)], outcome, dry_run=True)
        for uid in outcome.removed:
            click.echo(f"sẽ xóa kết quả của {builder.describe(uid)}")
        click.echo(f"Sẽ dựng {len(todo)}, không đổi {len(outcome.unchanged)}, "
                   f"xóa {len(outcome.removed)}.")
        return
    workers = jobs or os.cpu_count() or 1
    if sys.stdout.isatty() and todo:
        with click.progressbar(length=len(todo), label="Đang dựng") as bar:
            builder.run(todo, out, formats, workers, manifest, outcome,
                        progress=lambda job, result: bar.update(1))
    else:
        def line(job, result):
            click.echo(("đã dựng " if result["ok"] else "lỗi ") + job.unit.label)
        builder.run(todo, out, formats, workers, manifest, outcome, progress=line)
    builder.remove_stale(out, manifest, current, [Path(path)], outcome, dry_run=False)
    # Rows of one batch share their file's warnings: say each once.
    for warning in dict.fromkeys(str(w) for w in outcome.warnings):
        click.echo(warning, err=True)
    for uid, changes in outcome.changes.items():
        click.echo(f"{builder.describe(uid)}: " + "; ".join(changes))
    for uid in outcome.removed:
        click.echo(f"đã xóa kết quả của {builder.describe(uid)}")
    click.echo(f"Đã dựng {len(outcome.built)}, không đổi {len(outcome.unchanged)}, "
               f"lỗi {len(outcome.failed)}, xóa {len(outcome.removed)}.")
    if outcome.failed:
        for uid, problems in outcome.failed.items():
            click.echo(f"Lỗi ở {builder.describe(uid)}:", err=True)
            say(problems, indent="  ")
        sys.exit(1)


@main.group(context_settings=CONTEXT)
def new() -> None:
    """Tạo tệp nội dung khung (kế hoạch hoặc báo cáo) để điền."""


def _write_skeleton(path: Path, text: str) -> None:
    from .skeleton import write_new

    try:
        write_new(path, text)
    except FileExistsError:
        click.echo(f"{display_path(path)}: tệp đã có, không ghi đè; chọn tên khác bằng -o",
                   err=True)
        sys.exit(1)
    click.echo(f"Đã tạo {display_path(path)}")


@new.command("ke-hoach", context_settings=CONTEXT)
@click.option("-o", "--output", "out", default="ke-hoach.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="Tệp khung sẽ tạo.")
@click.option("--nam", type=int, default=None, help="Năm kế hoạch (mặc định: năm nay).")
def new_plan(out, nam) -> None:
    """Tạo khung kế hoạch có chú thích từng trường."""
    from .skeleton import plan_skeleton

    _write_skeleton(Path(out), plan_skeleton(Path(out), nam))


@new.command("bao-cao", context_settings=CONTEXT)
@click.option("--ke-hoach", "plan_file", required=True, type=click.Path(),
              help="Tệp kế hoạch mà báo cáo này báo cáo kết quả.")
@click.option("-o", "--output", "out", default=None, type=click.Path(dir_okay=False),
              help="Tệp khung sẽ tạo (mặc định: bao-cao.yaml cạnh kế hoạch).")
def new_report(plan_file, out) -> None:
    """Tạo khung báo cáo liệt kê mọi chỉ tiêu của kế hoạch, chỉ cần điền số liệu."""
    from ..model import Plan
    from .skeleton import report_skeleton
    from ..content.validate import load_document

    plan_path = Path(plan_file)
    if not plan_path.is_file():
        click.echo(f"{plan_file}: không tìm thấy tệp kế hoạch", err=True)
        sys.exit(1)
    try:
        plan = load_document(plan_path)
    except ContentError as exc:
        say(exc.problems)
        sys.exit(1)
    if not isinstance(plan, Plan):
        click.echo(f"{plan_file}: không phải là kế hoạch (loai: {plan.loai})", err=True)
        sys.exit(1)
    out_path = Path(out) if out else plan_path.parent / "bao-cao.yaml"
    _write_skeleton(out_path, report_skeleton(plan, plan_path, out_path))


from .office import archive_group, number, register_group  # noqa: E402

main.add_command(number)
main.add_command(register_group)
main.add_command(archive_group)


_USAGE_MESSAGES = [  # click's wording → the clerk's
    (r"Missing argument '(.+?)(\.\.\.)?'\.", r"thiếu đối số \1."),
    (r"Missing option '(.+)'\.", r"thiếu tùy chọn \1."),
    (r"No such option:? '?([^'\s]+)'?", r"không có tùy chọn \1"),
    (r"Did you mean '?([^'?]+)'?\?", r"Có phải ý bạn là \1?"),
    (r"No such command '(.+)'\.", r"không có lệnh '\1'."),
    (r"Got unexpected extra arguments? \((.+)\)", r"thừa đối số: \1"),
    (r"Invalid value for '(.+?)': ", r"giá trị không hợp lệ cho \1: "),
    (r"Option '(.+)' requires an argument\.", r"tùy chọn \1 cần một giá trị."),
]


def _usage_error(exc: click.UsageError) -> None:
    message = exc.format_message()
    for pattern, replacement in _USAGE_MESSAGES:
        message = re.sub(pattern, replacement, message)
    click.echo(f"Lỗi: {message}", err=True)
    if exc.ctx is not None:
        click.echo(f"Xem hướng dẫn: {exc.ctx.command_path} --help", err=True)


def run() -> None:
    """Entry point: usage mistakes and unexpected failures get Vietnamese lines,
    never a traceback (set VANBAN_DEBUG=1 to see one)."""
    try:
        result = main(standalone_mode=False, prog_name="vanban")
    except click.UsageError as exc:
        _usage_error(exc)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except VanbanError as exc:  # every stage's refusals, said in the clerk's words
        for line in exc.lines():
            click.echo(line, err=True)
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("Đã dừng. Các tệp kết quả cũ được giữ nguyên.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence for clerks
        if os.environ.get("VANBAN_DEBUG"):
            raise
        click.echo(f"Lỗi không mong đợi: {exc.__class__.__name__}: {exc}. "
                   "Đặt VANBAN_DEBUG=1 để xem chi tiết và báo cho nhóm phát triển.", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)

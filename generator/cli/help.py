"""Click commands whose help reads in Vietnamese, headings and ``--help`` included
(click writes "Usage", "Options" and "Show this message and exit." otherwise)."""

from __future__ import annotations

import click

CONTEXT = dict(help_option_names=["-h", "--help"])


def say(problems, indent: str = "") -> None:
    """Print problems (``tệp:dòng: trường: lỗi``) on stderr, one a line."""
    for problem in problems:
        click.echo(f"{indent}{problem}", err=True)


class Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "In hướng dẫn này và thoát."
        return option

    def format_usage(self, ctx, formatter):
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Cách dùng: ")

    def format_options(self, ctx, formatter):
        rows = [r for p in self.get_params(ctx) if (r := p.get_help_record(ctx))]
        if rows:
            with formatter.section("Tùy chọn"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Group(Command, click.Group):
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "LỆNH [ĐỐI SỐ]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Lệnh"):
                formatter.write_dl(rows)


Group.group_class = Group

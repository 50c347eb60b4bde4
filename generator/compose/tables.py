"""Tables the templates place that are computed from the model, not written by
the clerk: the report's targets table."""

from __future__ import annotations

from .. import vnformat
from ..content.aggregate import share_text
from ..model import Report, Table


def results_table(report: Report, labels: dict) -> Table:
    """The targets table, row by row; ``labels`` are the template's words
    (column headers and the evaluation words), so no wording lives here."""
    rows: list[list[str]] = []
    groups: set[int] = set()
    group: str | None = None
    for result in report.ket_qua:
        target = result.target
        if "." not in result.stt and target.nhom and target.nhom != group:
            group = target.nhom
            groups.add(len(rows))
            rows.append([target.nhom])
        rate = result.rate
        achieved = vnformat.number(result.gia_tri) if result.gia_tri is not None \
            else labels["chua-co"]
        if result.so_don_vi is not None and result.gia_tri is not None:
            # "85,7 (42/49 xã đạt)": the share of units behind the figure.
            achieved += " (" + share_text(labels, result.so_don_vi,
                                          getattr(report.tong_hop, "ten_don_vi", "")) + ")"
        rows.append([
            result.stt, target.ten, target.don_vi, vnformat.number(target.gia_tri),
            achieved,
            vnformat.number(rate, decimals=1) if rate is not None else "-",
            labels[result.status] if result.gia_tri is not None else "-",
        ])
    return Table(list(labels["cot"]), rows, nhom=groups,
                 can=["giua", "trai", "giua", "phai", "phai", "phai", "giua"],
                 ty_le=[7, 42, 14, 12, 12, 10, 13])

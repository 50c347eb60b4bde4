"""Benchmark of an aggregate report (``tong_hop``) over all 3,321 communes (issue 14).

    .venv/bin/python bench/aggregate.py [--communes 3321]

Prints, on this machine:
  (a) the time of ``vanban build`` of one aggregate report whose unit table has one row
      per commune of the whole country, DOCX + PDF (the appendix "Kết quả theo đơn vị"
      runs over ~100 landscape pages, its header row repeated on each);
  (b) the time of the rebuild after one commune's figure changes;
  (c) the peak memory (maximum resident set) of the build process.
Nothing is asserted: these are figures to compare on the same machine.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

AGENCY = """\
bo:
  ten: [Bộ Lao động -, Thương binh và Xã hội]
  ten_day_du: Bộ Lao động - Thương binh và Xã hội
  viet_tat: BLĐTBXH
  dia_danh: Hà Nội
"""

PLAN = """\
loai: ke-hoach
co_quan: bo
nam: 2025
trich_yeu: Thực hiện công tác phòng, chống tệ nạn xã hội năm 2025
chi_tieu:
  - {ma: CT01, ten: Xã tổ chức ít nhất 01 hoạt động truyền thông, gia_tri: 100, don_vi: "%",
     tong_hop: {cach: so_don_vi_dat, muc_dat: 1}}
  - ma: CT02
    ten: Lượt người được cai nghiện ma túy
    gia_tri: 40000
    don_vi: lượt người
    chi_tiet:
      - {ma: CT02a, ten: Cai nghiện tập trung, gia_tri: 30000, don_vi: lượt người}
      - {ma: CT02b, ten: Cai nghiện tại gia đình và cộng đồng, gia_tri: 10000, don_vi: lượt người}
  - {ma: CT03, ten: Cán bộ được tập huấn, gia_tri: 80, don_vi: "%", tong_hop: trung_binh}
nguoi_ky: {chuc_vu: BỘ TRƯỞNG, ho_ten: Nguyễn Văn A}
noi_nhan: [Thủ tướng Chính phủ, "Lưu: VT"]
"""

REPORT = """\
loai: bao-cao
co_quan: bo
nam: 2025
ke_hoach: ke-hoach.yaml
trich_yeu: Tổng hợp kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2025
tong_hop:
  bang: _ket-qua-xa.csv
nguoi_ky: {chuc_vu: BỘ TRƯỞNG, ho_ten: Nguyễn Văn A}
noi_nhan: [Thủ tướng Chính phủ, "Lưu: VT"]
"""


def write_table(path: Path, n: int) -> None:
    from vietnam_provinces import Ward

    wards = sorted(Ward.iter_all(), key=lambda w: w.code.value)[:n]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma_xa", "ten_xa", "CT01", "CT02", "CT02a", "CT02b", "CT03"])
        for i, ward in enumerate(wards):
            a, b = 8 + i % 7, i % 3
            writer.writerow([f"{ward.code.value:05d}", ward.name, i % 3, a + b, a, b,
                             f"{60 + i % 40},5"])


def vanban(root: Path, *args) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=root,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=3321)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "content" / "bo" / "2025"
        folder.mkdir(parents=True)
        (root / "content" / "_co-quan.yaml").write_text(AGENCY, encoding="utf-8")
        (folder / "ke-hoach.yaml").write_text(PLAN, encoding="utf-8")
        (folder / "bao-cao-tong-hop.yaml").write_text(REPORT, encoding="utf-8")
        write_table(folder / "_ket-qua-xa.csv", args.communes)
        cold = vanban(root, "build", "-j", "1")
        table = (folder / "_ket-qua-xa.csv").read_text(encoding="utf-8").splitlines()
        first = table[1].split(",")
        first[3] = str(int(first[3]) + 1)  # one commune's CT02
        table[1] = ",".join(first)
        (folder / "_ket-qua-xa.csv").write_text("\n".join(table) + "\n", encoding="utf-8")
        again = vanban(root, "build", "-j", "1")
        pdf = root / "output" / "bo" / "2025" / "bao-cao-tong-hop.pdf"
        from pypdf import PdfReader

        pages = len(PdfReader(str(pdf)).pages)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"aggregate over {args.communes} communes: {pages} PDF pages")
    print(f"(a) build (plan + aggregate, DOCX + PDF): {cold:.1f} s")
    print(f"(b) rebuild after one commune's figure:  {again:.1f} s")
    print(f"(c) peak memory of a build process:      {peak:.0f} MB")


if __name__ == "__main__":
    main()

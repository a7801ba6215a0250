"""Re-save a standard .xlsx sample as .xls (BIFF8) and .ods, cell for cell.

Not part of the Rust build: rust_xlsxwriter writes only xlsx, so the .xls and
.ods samples are made once with xlwt / odfpy (pip install openpyxl xlwt odfpy)
and committed. Values, text and merged ranges are copied; formats are not.

    python3 samples/src/other_formats.py samples/攀枝花市科学技术协会2024.xlsx \
        samples/variants/攀枝花市科学技术协会2024.xls samples/variants/攀枝花市科学技术协会2024.ods

With a fourth argument `ROWS,COLS` every cell and merge is moved down and
right, so the used range does not start at A1 (tests/fixtures/reader/offset.*):

    python3 samples/src/other_formats.py samples/攀枝花市科学技术协会2024.xlsx \
        tests/fixtures/reader/offset.xls tests/fixtures/reader/offset.ods 3,2
"""
import sys

import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableRow, TableCell, CoveredTableCell
from odf.text import P


OFFSET = (0, 0)


def sheets(path):
    dr, dc = OFFSET
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        merges = [(m.min_row - 1 + dr, m.min_col - 1 + dc, m.max_row - 1 + dr, m.max_col - 1 + dc)
                  for m in ws.merged_cells.ranges]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells[(c.row - 1 + dr, c.column - 1 + dc)] = c.value
        yield ws.title, cells, merges


def write_xls(src, dst):
    wb = xlwt.Workbook(encoding="utf-8")
    for title, cells, merges in sheets(src):
        ws = wb.add_sheet(title)
        covered = set()
        for (r0, c0, r1, c1) in merges:
            ws.write_merge(r0, r1, c0, c1, cells.get((r0, c0), ""))
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for (r, c), v in sorted(cells.items()):
            if (r, c) not in covered:
                ws.write(r, c, v)
    wb.save(dst)


def write_ods(src, dst):
    doc = OpenDocumentSpreadsheet()
    for title, cells, merges in sheets(src):
        t = Table(name=title)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for (r0, c0, r1, c1) in merges}
        covered = {(r, c) for (r0, c0, r1, c1) in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
        nrows = max([r for r, _ in cells] + [m[2] for m in merges] + [0]) + 1
        ncols = max([c for _, c in cells] + [m[3] for m in merges] + [0]) + 1
        for r in range(nrows):
            tr = TableRow()
            for c in range(ncols):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                v = cells.get((r, c))
                kw = {}
                if (r, c) in spans:
                    kw = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
                if isinstance(v, (int, float)):
                    cell = TableCell(valuetype="float", value=v, **kw)
                    cell.addElement(P(text=str(v)))
                elif v is not None:
                    cell = TableCell(valuetype="string", **kw)
                    cell.addElement(P(text=str(v)))
                else:
                    cell = TableCell(**kw)
                tr.addElement(cell)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)
    doc.save(dst)


if __name__ == "__main__":
    src, xls, ods = sys.argv[1:4]
    if len(sys.argv) > 4:
        OFFSET = tuple(int(x) for x in sys.argv[4].split(","))
    write_xls(src, xls)
    write_ods(src, ods)

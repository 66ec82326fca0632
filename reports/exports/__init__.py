"""Report exports: CSV and the audit trail streamed row by row, XLSX, PDF, DSA statements of reasons, the
transparency report and Lumen notices, each with the report filters.

- `rows`: claim and audit rows, CSV and JSON streaming, formula neutralising
- `xlsx`: the workbook
- `pdf`: the PDF report (WeasyPrint, charts as SVG, only the project's own static files fetched)
- `jobs`: the formats, the streamed response body, and background exports (request, build, purge)

Memory stays flat however many claims there are: rows come from `.iterator(chunk_size=…)` (a server-side
cursor on PostgreSQL) and leave as soon as a few kilobytes are ready. Text that a brand, a merchant or a
marketplace typed is data, never markup or formulas: cells starting with = + - @ (or a tab or carriage
return) get a leading apostrophe in CSV and XLSX, the PDF template autoescapes, and the PDF renderer may
fetch nothing but the project's own static files.
"""

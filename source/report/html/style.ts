/** The page's inline stylesheet (no external fonts or assets: the page must open offline). */
export const pageStyle = `
:root{--fg:#1d232b;--muted:#66707c;--line:#dfe3e8;--bg:#fff;--pass:#2a9d5b;--warn:#c08a00;--fail:#c43a3a;--nodata:#7a5cc4;--skip:#8a939e}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1240px;padding:20px 24px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 10px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
dl.meta{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:2px 14px;margin:0;font-size:13px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-word}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:10px;margin-top:18px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 10px}.card .k{font-size:12px;color:var(--muted)}.card .v{font-size:19px;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted)}td.num{text-align:right;font-variant-numeric:tabular-nums}
table.kv th{width:280px}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff;background:var(--skip)}
.s-pass{background:var(--pass)}.s-warn{background:var(--warn)}.s-fail,.s-interrupted{background:var(--fail)}.s-no-data{background:var(--nodata)}.s-running,.s-checkpoint{background:#2f6fde}.s-pending,.s-skipped{background:var(--skip)}
details.checks{margin:6px 0;border:1px solid var(--line);border-radius:6px;padding:4px 10px}details.checks summary{cursor:pointer;font-weight:600}
.sub{color:var(--muted);font-size:11px}.grade{font-size:20px;margin-left:8px;color:#2f6fde}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px;overflow:hidden}figure.chart figcaption{font-weight:600;font-size:13px;margin:0 0 2px 4px}
figure.chart svg{display:block;max-width:100%;height:auto}
.empty{color:var(--muted);padding:40px 10px;text-align:center;font-style:italic}
tr.critical td{color:var(--fail)}span.over{color:var(--fail);font-weight:600}.s-active{background:var(--warn)}
p.resumed{margin:8px 0;padding:6px 10px;border-left:4px solid #2f6fde;background:#f2f6fd;font-size:13px}
table.chaos td.num{white-space:nowrap}table.chaos td.num .sub{white-space:normal}.table-scroll{overflow-x:auto}.legend-note{color:var(--muted);font-size:12px;margin:0 0 6px}
ol.mark-legend{margin:2px 0 0;padding:0 4px;list-style:none;font-size:11px;color:var(--fail)}ol.mark-legend li{display:inline-block;margin-right:10px}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@media print{.grid{grid-template-columns:1fr}}
`;

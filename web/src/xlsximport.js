// xlsximport.js — the console's one way to import spreadsheets (docs/console.md, 导入): an .xlsx is
// read in the browser (read-excel-file, loaded only when one is picked) and sent as UTF-8 CSV to the
// same import routes as a CSV file, so the server's CSV validation — file, row and column errors —
// stays the one path. Also the downloadable error report of a refused or partly invalid import.

// RFC 4180 field; a leading = + - @ gets a ' so a spreadsheet never runs it as a formula.
function cell(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// A cell as the import reads text: dates as YYYY-MM-DD (read-excel-file gives Date objects in UTC),
// booleans as 是/否, numbers without exponent where they are whole.
function text(v) {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v).toString();
  return String(v);
}

export function isXlsx(file) {
  return /\.xlsx$/i.test(file?.name ?? '') || file?.type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
}

// The first sheet of an .xlsx File as CSV bytes (UTF-8 with BOM). Every row is kept, empty ones
// too, so the server's row numbers are the spreadsheet's (header = row 1). Throws Error with a
// Chinese message when the file is not a readable workbook.
export async function xlsxToCsv(file) {
  let rows;
  try {
    const { readSheet } = await import('read-excel-file/browser');
    rows = await readSheet(file);
  } catch {
    throw new Error('无法读取该 Excel 文件：请确认是 .xlsx 格式（较早的 .xls 请在 Excel 中另存为 .xlsx 或 CSV）且未加密。');
  }
  if (!rows?.length) throw new Error('Excel 文件的第一个工作表是空的：第一行应为表头（字段名或中文列名）。');
  const lines = rows.map((r) => r.map((v) => cell(text(v))).join(','));
  return new TextEncoder().encode('\ufeff' + lines.join('\r\n') + '\r\n');
}

function save(name, textBody) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([textBody], { type: 'text/csv;charset=utf-8' }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// Spreadsheet column letters: 1 → A, 27 → AA.
export function columnName(n) {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

// The error report of an import as CSV (UTF-8 with BOM, opens in Excel): 行, 列, 字段, 原因 for
// each {row, column, field, detail} the server gave; label(field) names a field in Chinese; more
// (the errors beyond those listed, when the server capped them) is said in a last line.
export function saveErrorReport(name, errors, label, more = 0) {
  const lines = [['行', '列', '字段', '原因']];
  for (const e of errors) {
    lines.push([e.row ?? '', e.column ? columnName(e.column) : '', e.field ? label(e.field) : '', e.detail ?? '']);
  }
  if (more > 0) lines.push(['', '', '', `另有 ${more} 条错误未列出：请修改以上错误后重新试导入检查。`]);
  save(name, '\ufeff' + lines.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n');
}

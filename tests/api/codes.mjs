// codes.mjs — check characters of GB 32100 (unified social credit code, with its embedded GB 11714
// organisation code) and GB 11643 (resident ID), written independently of src/base/codes.c so the
// API suite can make valid codes and tell whether the server checks them.
const ALPHA = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function orgCode(body8) {
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8[i];
    s += (/[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55) * w[i];
  }
  const c = 11 - (s % 11);
  return body8 + (c === 10 ? 'X' : c === 11 ? '0' : String(c));
}

// prefix8: registration authority + category + 6-digit region; body8: 8 digits.
export function creditCode(prefix8, body8) {
  const s17 = prefix8 + orgCode(body8);
  let s = 0;
  for (let i = 0; i < 17; i++) s += ALPHA.indexOf(s17[i]) * CW[i];
  const c = 31 - (s % 31);
  return s17 + ALPHA[c === 31 ? 0 : c];
}

export function isCreditCode(code) {
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code) && creditCode(code.slice(0, 8), code.slice(8, 16)) === code;
}

// s17: 6-digit region + YYYYMMDD + 3-digit sequence.
export function residentId(s17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(s17[i]) * w[i];
  return s17 + '10X98765432'[s % 11];
}

export function isResidentId(id) {
  return /^\d{17}[\dX]$/.test(id) && residentId(id.slice(0, 17)) === id;
}

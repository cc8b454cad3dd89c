/**
 * The names a SQL text uses, as PostgreSQL's lexer would read them: unquoted identifiers folded to
 * lower case, quoted ones as written, and nothing from inside strings, dollar quotes or comments.
 * The console's policy (sql-console-policy.ts) checks these names; keywords come out as names too,
 * which only makes the check stricter.
 *
 * The scan follows PostgreSQL's lexical rules with `standard_conforming_strings` on (the console
 * sets it for its transaction), so that no text this scan takes for a string or a comment can be
 * code to the server. Where the two could differ (a string continued on the next line after an
 * `E'…'`), the scan sees more names than the server, never fewer.
 */
export interface SqlNames {
  /** Every identifier and keyword, in order, normalised as the server resolves them. */
  names: string[];
  /** A `U&"…"` identifier was used: its name is only known after escapes, so the policy refuses it. */
  unicodeIdentifier: boolean;
}

const identStart = /[A-Za-z_\u0080-\uffff]/;
const identPart = /[A-Za-z0-9_$\u0080-\uffff]/;
const dollarTag = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** @example sqlNames(`SELECT "Name", now() FROM runs -- pg_read_file`).names → ['select', 'Name', 'now', 'from', 'runs'] */
export function sqlNames(text: string): SqlNames {
  const names: string[] = [];
  let unicodeIdentifier = false;
  let i = 0;
  const n = text.length;

  /** Index just past a quoted run that starts at `start` (the opening quote), `""`/`''` doubled. */
  const pastQuoted = (start: number, quote: string, backslashEscapes: boolean): number => {
    let j = start + 1;
    while (j < n) {
      const c = text[j]!;
      if (backslashEscapes && c === '\\') j += 2;
      else if (c === quote) {
        if (text[j + 1] === quote) j += 2;
        else return j + 1;
      } else j++;
    }
    return n;
  };

  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'") {
      i = pastQuoted(i, "'", false);
    } else if ((c === 'e' || c === 'E') && next === "'") {
      i = pastQuoted(i + 1, "'", true);
    } else if (/[bBxXnN]/.test(c) && next === "'") {
      i = pastQuoted(i + 1, "'", false);
    } else if ((c === 'u' || c === 'U') && next === '&' && (text[i + 2] === "'" || text[i + 2] === '"')) {
      if (text[i + 2] === '"') unicodeIdentifier = true;
      i = pastQuoted(i + 2, text[i + 2]!, false);
    } else if (c === '"') {
      const end = pastQuoted(i, '"', false);
      names.push(text.slice(i + 1, end - 1).replace(/""/g, '"'));
      i = end;
    } else if (c === '$') {
      if (next !== undefined && /[0-9]/.test(next)) {
        i++;
        while (i < n && /[0-9]/.test(text[i]!)) i++;
        continue;
      }
      dollarTag.lastIndex = i;
      const tag = dollarTag.exec(text)?.[0];
      if (!tag) {
        i++;
        continue;
      }
      const end = text.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else if (identStart.test(c)) {
      let j = i + 1;
      while (j < n && identPart.test(text[j]!)) j++;
      // PostgreSQL folds only ASCII letters of unquoted names.
      names.push(text.slice(i, j).replace(/[A-Z]+/g, (letters) => letters.toLowerCase()));
      i = j;
    } else if (/[0-9]/.test(c)) {
      // Digits only: whatever follows is scanned again, so a name glued to a number is still seen.
      while (i < n && /[0-9]/.test(text[i]!)) i++;
    } else i++;
  }
  return { names, unicodeIdentifier };
}

import * as fs from 'fs';
import * as path from 'path';

/** The cost table of docs/review.md ("The examples, with the default table"): for each example, its rows' cells. */
export function readmeCostTable(): Record<string, string[][]> {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'review.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| example | component | worst case per hour | how |'));
  const rows: Record<string, string[][]> = {};
  let current = '';
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0]) current = cells[0];
    (rows[current] ??= []).push(cells.slice(1));
  }
  return rows;
}

/**
 * An example's worst case per hour in the README's table: the first dollar figure of its total row,
 * or of its only row.
 */
export function readmeCostTotal(example: string): string | undefined {
  const rows = readmeCostTable()[example] ?? [];
  const total = rows.find((cells) => cells[0] === '**total**') ?? (rows.length === 1 ? rows[0] : undefined);
  return total?.[1].match(/\$[\d.]+/)?.[0];
}

import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');

/** README.md and every page under docs/, as paths relative to the repository. */
function pages(): string[] {
  return ['README.md', ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
}

/** Relative link targets of a Markdown text outside code fences (web links and anchors left out). */
export function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

describe('documentation links', () => {
  test.each(pages())('%s: every relative link names a file or folder that exists', (page) => {
    const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
    const missing = relativeLinks(text).filter((target) => !fs.existsSync(path.join(ROOT, path.dirname(page), target)));
    expect(missing).toEqual([]);
  });

  test('the README links every docs/ page and stays short', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(relativeLinks(readme));
    const unlinked = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).filter((f) => !linked.has(`docs/${f}`));
    expect(unlinked).toEqual([]);
    expect(readme.split('\n').length).toBeLessThanOrEqual(260);
  });

  test('the link reader finds a link to a missing page and ignores code and web links', () => {
    const text = 'see [a](docs/missing.md#x) and [b](https://example.com)\n```\n[c](nothing.md)\n```\n';
    expect(relativeLinks(text)).toEqual(['docs/missing.md']);
  });
});

/**
 * Writes RULES.md from the rule registry: `npm run build && node dist/scripts/rules-md.js`.
 * test/nag/registry.test.ts fails when RULES.md and the registry disagree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderRulesMarkdown } from '../lib/nag';

const root = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
fs.writeFileSync(path.join(root, 'RULES.md'), renderRulesMarkdown());

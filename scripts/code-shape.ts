/**
 * `npm run code-shape`: the size of the code people read, outside tests: how many source files,
 * the median and largest file in lines, and the longest functions (in all, and in workflows/).
 * Functions are measured with the TypeScript parser, from their first line to their last.
 * `npm run code-shape -- <checkout>` measures another checkout, e.g. a worktree of an older commit.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../workers/project-root.js';

const root = path.resolve(process.argv[2] ?? projectRoot);
const files = execFileSync('git', ['ls-files', '*.ts', '*.js'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && !file.startsWith('test/'));

const sizes: Array<{ file: string; lines: number }> = [];
const functions: Array<{ where: string; lines: number }> = [];
for (const file of files) {
  const text = readFileSync(path.join(root, file), 'utf8');
  sizes.push({ file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = lineOf(node.getStart(source));
      const parent = node.parent;
      const name =
        (node.name?.getText(source) ??
          ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
            parent.name.getText(source))) ||
        '(anonymous)';
      functions.push({ where: `${file}:${first} ${name}`, lines: lineOf(node.getEnd()) - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

sizes.sort((a, b) => a.lines - b.lines);
functions.sort((a, b) => b.lines - a.lines);
const median = sizes[Math.floor(sizes.length / 2)]!;
const largest = sizes.at(-1)!;
console.log(
  `${sizes.length} source files outside test/: median ${median.lines} lines, largest ${largest.lines} (${largest.file})`,
);
console.log(
  `largest files: ${sizes
    .slice(-5)
    .reverse()
    .map(({ file, lines }) => `${file} ${lines}`)
    .join(', ')}`,
);
const show = (title: string, list: typeof functions) =>
  console.log(
    `${title}\n${list
      .slice(0, 6)
      .map(({ where, lines }) => `  ${String(lines).padStart(4)}  ${where}`)
      .join('\n')}`,
  );
show('longest functions:', functions);
show(
  'longest functions in workflows/:',
  functions.filter(({ where }) => where.startsWith('workflows/')),
);

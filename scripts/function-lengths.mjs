#!/usr/bin/env node
// Lists the longest functions of src/ (by lines, through the TypeScript parser): `node scripts/function-lengths.mjs [N]`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const walk = (d) => readdirSync(d).flatMap((n) => (statSync(path.join(d, n)).isDirectory() ? walk(path.join(d, n)) : [path.join(d, n)]));
const files = walk('src').filter((f) => /\.tsx?$/.test(f) && !f.includes('generated'));
const out = [];
for (const file of files) {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const start = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      let name = node.name?.getText?.() ?? '';
      if (!name && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText();
      if (!name && ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText();
      out.push({ file, name: name || '(anonymous)', lines: end - start + 1, line: start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
out.sort((a, b) => b.lines - a.lines);
for (const f of out.slice(0, Number(process.argv[2] ?? 10))) console.log(`${String(f.lines).padStart(4)}  ${f.name}  ${f.file}:${f.line}`);

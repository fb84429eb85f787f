import { describe, expect, it } from 'vitest';
import { countCodeLines, countedLanguage, languageOfPath } from '../../../src/analysis/loc.ts';

describe('countCodeLines', () => {
  it('counts the article Python handler without blanks, comments or docstrings', () => {
    const py = [
      '# Python with FastAPI',
      'from fastapi import FastAPI',
      '',
      'app = FastAPI()  # the app',
      '"""Module docstring',
      'spanning lines."""',
      '@app.get("/users/{user_id}")',
      'async def get_user(user_id: int):',
      '    """One-line docstring."""',
      '    s = "# not a comment"',
      '    return {"id": user_id}',
      '   ',
    ].join('\n');
    expect(countCodeLines(py, 'python')).toBe(6);
  });

  it('counts Go lines, skipping // and /* */ comments but not strings that contain them', () => {
    const go = [
      '// Package main serves users.',
      'package main',
      '',
      '/* block',
      '   comment */',
      'func getUser(w http.ResponseWriter, r *http.Request) { // trailing',
      '\tu := "http://example/*not a comment*/"',
      '\t/* inline */ x := 1',
      '\t_ = x /* start',
      '\tstill comment */',
      '}',
    ].join('\n');
    expect(countCodeLines(go, 'go')).toBe(6);
  });

  it('maps file extensions to languages', () => {
    expect(languageOfPath('app/main.py')).toBe('python');
    expect(languageOfPath('handler.go')).toBe('go');
    expect(languageOfPath('README.md')).toBeNull();
  });
});

describe('countCodeLines for JavaScript and TypeScript', () => {
  it('skips // and /* */ comments, keeps strings and template literals that contain them', () => {
    const js = [
      '// Fastify handler',
      "import Fastify from 'fastify';",
      '',
      '/**',
      ' * JSDoc block',
      ' */',
      "const url = 'http://example/*not a comment*/'; // trailing",
      'const t = `line one',
      '// inside a template literal: code',
      '`;',
      '/* inline */ const x = 1;',
      'const y = "say \\"//\\" here";',
    ].join('\n');
    expect(countCodeLines(js, 'javascript')).toBe(7);
    expect(countCodeLines(js, 'typescript')).toBe(7);
  });

  it('follows a Go raw string across lines, where a backslash is not an escape', () => {
    const go = ['s := `C:\\`', '// a comment again', 'x := 1'].join('\n');
    expect(countCodeLines(go, 'go')).toBe(2);
  });

  it('maps JavaScript and TypeScript extensions, and has no counter for other languages', () => {
    expect(languageOfPath('src/app.js')).toBe('javascript');
    expect(languageOfPath('src/app.mjs')).toBe('javascript');
    expect(languageOfPath('src/app.ts')).toBe('typescript');
    expect(languageOfPath('app.rb')).toBeNull();
    expect(countedLanguage('javascript')).toBe('javascript');
    expect(countedLanguage('ruby')).toBeNull();
  });
});

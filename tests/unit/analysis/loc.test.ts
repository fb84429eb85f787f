import { describe, expect, it } from 'vitest';
import { countCodeLines, languageOfPath } from '../../../src/analysis/loc.ts';

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

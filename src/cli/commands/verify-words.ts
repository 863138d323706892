// What `labs verify` itself says, in English and Korean (the grader's own sentences are
// translated by grader/words-ko.ts). Labels are padded to one width on a terminal, where a
// Hangul syllable takes two columns. The Korean labels are the lab card's (ui-strings.ts).
export type VerifyWords = {
  lab: string;
  waiting: string;
  /** "expected" and "observed", padded to the hint's column. */
  expected: string;
  observed: string;
  hint: string;
  /** Spaces after the hint's label (it is coloured apart from them). */
  hintGap: number;
  passed: string;
  notYet: string;
  summary: (score: number, max: number, seconds: string) => string;
  waitNote: (lab: number) => string;
};

export const verifyWords: Record<'en' | 'ko', VerifyWords> = {
  en: {
    lab: 'Lab',
    waiting: ' (waiting)',
    expected: 'expected  ',
    observed: 'observed  ',
    hint: 'hint',
    hintGap: 6,
    passed: 'passed',
    notYet: 'not yet',
    summary: (score, max, seconds) => `${score}/${max} points in ${seconds} s`,
    waitNote: (lab) => `(checks report the cluster as it is now; \`labs verify ${lab} --wait 60\` waits for pods to get there)`,
  },
  ko: {
    lab: '실습',
    waiting: ' (기다리는 중)',
    expected: '기대값    ',
    observed: '실제값    ',
    hint: '힌트',
    hintGap: 6,
    passed: '통과',
    notYet: '아직',
    summary: (score, max, seconds) => `${score}/${max}점, ${seconds}초`,
    waitNote: (lab) => `(지금의 클러스터를 채점했습니다. \`labs verify ${lab} --wait 60\`은 파드가 그렇게 될 때까지 기다립니다)`,
  },
};

/** Terminal columns of a character: two for Hangul and other East Asian wide ones. */
const columnsOf = (char: string): number => (/[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1);

/** Terminal columns `text` takes. */
export const columnsIn = (text: string): number => [...text].reduce((sum, char) => sum + columnsOf(char), 0);

/** `text` cut (with "…") to at most `columns` terminal columns: a line rewritten in place must not wrap. */
export function fitColumns(text: string, columns: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    used += columnsOf(char);
    if (used > columns) return `${out.slice(0, -1)}…`;
    out += char;
  }
  return out;
}

// Interface words in each language. Lessons bring their own text; this is the chrome around them.
import type { Language } from '../content/schema.ts';

const en = {
  brand: 'Kubernetes Labs',
  tagline: 'Learn Kubernetes by doing: lessons beside a live terminal on your own kind cluster.',
  courseTitle: 'The course',
  courseIntro:
    'Each lesson explains one idea, then you try it in the terminal on the right against your own cluster. Labs are checked by reading the cluster itself, so "done" means it really works.',
  lessons: 'Lessons',
  lesson: 'Lesson',
  minutes: (n: number) => `${n} min`,
  lab: (n: number) => `Lab ${n}`,
  labs: 'Labs',
  previous: 'Previous',
  next: 'Next',
  backToCourse: 'All lessons',
  noLessons: 'No lessons in this language yet.',
  notTranslated: 'This lesson is not translated yet',
  language: 'Language',
  theme: 'Toggle light or dark theme',
  terminal: 'Terminal',
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  disconnected: 'disconnected',
  reconnect: 'Reconnect',
  resizeHandle: 'Drag to resize the lesson and the terminal',
  check: 'Check my work',
  checking: 'Checking…',
  checkUnavailable: 'Grading is not available on this server yet.',
  checkFailed: 'Could not check this lab',
  passed: 'Passed',
  notYet: 'Not yet',
  expected: 'Expected',
  observed: 'Observed',
  hint: 'Hint',
  cluster: 'Cluster',
  clusterUnknown: 'unknown',
  notFoundTitle: 'Page not found',
  notFoundBody: 'There is no lesson or page at this address. It may have been renamed.',
  startCourse: 'Start the course',
};

type Strings = typeof en;

const ko: Strings = {
  brand: 'Kubernetes Labs',
  tagline: '직접 해 보며 배우는 쿠버네티스: 내 kind 클러스터에 연결된 터미널과 나란히 놓인 강의.',
  courseTitle: '과정',
  courseIntro:
    '각 강의는 하나의 개념을 설명하고, 오른쪽 터미널에서 내 클러스터에 직접 적용해 봅니다. 실습은 클러스터 상태를 직접 읽어 채점하므로 "완료"는 실제로 동작한다는 뜻입니다.',
  lessons: '강의',
  lesson: '강의',
  minutes: (n: number) => `${n}분`,
  lab: (n: number) => `실습 ${n}`,
  labs: '실습',
  previous: '이전',
  next: '다음',
  backToCourse: '전체 강의',
  noLessons: '아직 이 언어로 된 강의가 없습니다.',
  notTranslated: '이 강의는 아직 번역되지 않았습니다',
  language: '언어',
  theme: '밝은/어두운 테마 전환',
  terminal: '터미널',
  connecting: '연결 중…',
  connected: '연결됨',
  reconnecting: '다시 연결 중…',
  disconnected: '연결 끊김',
  reconnect: '다시 연결',
  resizeHandle: '끌어서 강의와 터미널 크기 조절',
  check: '채점하기',
  checking: '채점 중…',
  checkUnavailable: '이 서버에서는 아직 채점을 사용할 수 없습니다.',
  checkFailed: '이 실습을 채점하지 못했습니다',
  passed: '통과',
  notYet: '아직',
  expected: '기대값',
  observed: '실제값',
  hint: '힌트',
  cluster: '클러스터',
  clusterUnknown: '알 수 없음',
  notFoundTitle: '페이지를 찾을 수 없습니다',
  notFoundBody: '이 주소에는 강의나 페이지가 없습니다. 이름이 바뀌었을 수 있습니다.',
  startCourse: '과정 시작하기',
};

const strings: Record<Language, Strings> = { en, ko };

export const ui = (language: Language): Strings => strings[language];

export const languageNames: Record<Language, string> = { en: 'English', ko: '한국어' };

import { describe, expect, it } from 'vitest';
import { activeHeading, headingInTranslation } from '../../src/components/heading-map.ts';

const en = ['what-you-will-learn', 'the-five-phases', 'clean-up'];
const ko = ['이번-강의에서-배울-것', '다섯-가지-단계', '정리하기'];

describe('headingInTranslation', () => {
  it('links the heading at the same position, percent-encoded', () => {
    expect(headingInTranslation('/ko/lessons/01-x/', en, ko, 'the-five-phases')).toBe(`/ko/lessons/01-x/#${encodeURIComponent('다섯-가지-단계')}`);
  });

  it('replaces a hash left from an earlier retarget', () => {
    expect(headingInTranslation('/ko/lessons/01-x/#old', en, ko, 'clean-up')).toBe(`/ko/lessons/01-x/#${encodeURIComponent('정리하기')}`);
    expect(headingInTranslation('/ko/lessons/01-x/#old', en, ko, undefined)).toBe('/ko/lessons/01-x/');
  });

  it('falls back to the top of the page for an unknown heading or outlines that differ', () => {
    expect(headingInTranslation('/ko/a/', en, ko, 'nope')).toBe('/ko/a/');
    expect(headingInTranslation('/ko/a/', en, ko.slice(1), 'clean-up')).toBe('/ko/a/');
  });
});

describe('activeHeading', () => {
  const boxes = [
    { id: 'a', top: -400, bottom: -370 },
    { id: 'b', top: 10, bottom: 40 },
    { id: 'c', top: 300, bottom: 330 },
    { id: 'd', top: 1200, bottom: 1230 },
  ];

  it('is the last heading at or above the reading line near the top', () => {
    expect(activeHeading(boxes, 0, 900)).toBe('b');
    expect(activeHeading(boxes, 0, 900, 'zzz')).toBe('b');
  });

  it('is the URL target while it is on screen, even below the reading line', () => {
    expect(activeHeading(boxes, 0, 900, 'c')).toBe('c');
    expect(activeHeading(boxes, 0, 900, 'd')).toBe('b');
    expect(activeHeading(boxes, 0, 900, 'a')).toBe('b');
  });

  it('is none before the first heading', () => {
    expect(activeHeading([{ id: 'x', top: 500, bottom: 530 }], 0, 900)).toBeUndefined();
  });
});

// Display names that look alike on the dashboard: "Lеarner A" with a Cyrillic е beside
// "Learner A", "Ana\u3164" (a Hangul filler) beside "Ana". Two such names in one class let a
// learner pass for a classmate when the instructor reads the grid, the help queue or a terminal.
// A skeleton in the spirit of Unicode's (UTS #39), kept small: compatibility forms folded
// (NFKC: fullwidth, ligatures, odd spaces), invisible characters dropped, common Cyrillic and
// Greek lookalikes and I/l/1, O/0 read as one letter, case ignored.

/** Letters drawn like a Latin one in common fonts (both cases where both look alike). */
const LOOKALIKES: Record<string, string> = {
  // Cyrillic
  А: 'a', а: 'a', В: 'b', в: 'b', Е: 'e', е: 'e', Ё: 'ë', ё: 'ë', К: 'k', к: 'k', М: 'm', м: 'm', Н: 'h', н: 'h',
  О: 'o', о: 'o', Р: 'p', р: 'p', С: 'c', с: 'c', Т: 't', т: 't', У: 'y', у: 'y', Х: 'x', х: 'x', І: 'l', і: 'i',
  Ї: 'ï', ї: 'ï', Ј: 'j', ј: 'j', Ѕ: 's', ѕ: 's', Ԁ: 'd', ԁ: 'd', Һ: 'h', һ: 'h', Ԛ: 'q', ԛ: 'q', Ԝ: 'w', ԝ: 'w',
  Ү: 'y', ү: 'y', Ӏ: 'l', ӏ: 'l', Ь: 'b', ь: 'b',
  // Greek
  Α: 'a', α: 'a', Β: 'b', β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'l', ι: 'i', Κ: 'k', κ: 'k', Μ: 'm', Ν: 'n', ν: 'v',
  Ο: 'o', ο: 'o', Ρ: 'p', ρ: 'p', Τ: 't', τ: 't', Υ: 'y', υ: 'u', Χ: 'x', χ: 'x', ϲ: 'c', Ϲ: 'c',
  // Latin and digits drawn alike in sans-serif fonts
  I: 'l', '1': 'l', '|': 'l', '0': 'o', ɑ: 'a', ɡ: 'g', ı: 'i',
};

/** Characters that draw nothing: zero-width and bidi controls, fillers, variation selectors. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800]/gu;

/** What a name looks like: equal skeletons are names a reader cannot tell apart. */
export function nameSkeleton(name: string): string {
  const folded = name.normalize('NFKC').replace(INVISIBLE, '');
  return [...folded].map((c) => LOOKALIKES[c] ?? c).join('').toLowerCase().replace(/\s+/g, ' ').trim();
}

// Shared by the course diagram generators (see generate.ts): number formatting, rough text
// widths for sizing pills, and the <svg> wrapper with its title and description.
//
// The numbers are written exactly as the first (Python) generators wrote them, so regenerating
// changes no byte: `num` prints an integer as is, `real` prints a real number with at least one
// decimal ("135.0", "861.0000000000001"), `fixed1` rounds to one decimal, ties to even.

export type Language = 'en' | 'ko';
export const LANGUAGES: readonly Language[] = ['en', 'ko'];

/** File name suffix for a language: name.svg for English, name.ko.svg for Korean. */
export const suffix = (language: Language): string => (language === 'en' ? '' : '.ko');

/** An integer coordinate or size. */
export const num = (value: number): string => String(value);

/** A computed real number, shortest round-trip form, always with a decimal point. */
export const real = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

/** One decimal place; an exact tie (x.25, x.75) rounds to the even digit. */
export function fixed1(value: number): string {
  const tenths = value * 10;
  if (Number.isInteger(value * 4) && !Number.isInteger(value * 2)) {
    const down = Math.floor(tenths);
    return ((down % 2 === 0 ? down : down + 1) / 10).toFixed(1);
  }
  return value.toFixed(1);
}

/** Characters wider than Latin (Hangul and other wide scripts). */
const isWide = (char: string): boolean => char.codePointAt(0)! > 0x1100;

/** Rough rendered width of `text`: `wide` per wide character, `narrow` per other character, plus padding. */
export function textWidth(text: string, narrow: number, wide: number, padding: number): number {
  let total = 0;
  for (const char of text) total += isWide(char) ? wide : narrow;
  return total + padding;
}

export const svgDocument = (width: number, height: number, title: string, description: string, style: string, body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="t d">\n` +
  `  <title id="t">${title}</title>\n  <desc id="d">${description}</desc>\n` +
  style +
  body +
  '</svg>\n';

/** Files a generator produces: name → SVG text. */
export type Diagrams = Record<string, string>;

/** One SVG per language, `name.svg` and `name.ko.svg`, each drawn from that language's labels. */
export function perLanguage<Labels>(name: string, labels: Record<Language, Labels>, draw: (labels: Labels) => string): Diagrams {
  const files: Diagrams = {};
  for (const language of LANGUAGES) files[`${name}${suffix(language)}.svg`] = draw(labels[language]);
  return files;
}

/**
 * The accent colour an administrator picks, made into the stylesheet's accent properties for both colour
 * schemes. Whatever colour is picked, links and buttons stay readable: the light scheme's accent is darkened,
 * and the dark scheme's lightened, until it has a contrast of at least 4.5:1 (WCAG AA for text) with the page
 * surfaces of that scheme, and the text on accent buttons is whichever of white or near-black reads better.
 */

/** "#rrggbb", lower case: the one form stored and put in addresses. */
export const ACCENT_PATTERN = /^#[0-9a-f]{6}$/;

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const INK: Rgb = [17, 24, 39];
/** The surfaces of each scheme, as in style.css: the accent must read on both of them. */
const LIGHT_SURFACES: readonly Rgb[] = [WHITE, [247, 248, 250], [242, 244, 247]];
const DARK_SURFACES: readonly Rgb[] = [
  [13, 17, 23],
  [21, 27, 36],
];
const DARK_SURFACE: Rgb = [21, 27, 36];
const MIN_CONTRAST = 4.5;

/** "#0F766E", "0f766e", "#abc" → "#0f766e" / "#aabbcc"; null for anything else. */
export function normalizeAccent(input: string): string | null {
  const text = input.trim().toLowerCase().replace(/^#?/, '#');
  if (/^#[0-9a-f]{3}$/.test(text)) return `#${[...text.slice(1)].map((d) => d + d).join('')}`;
  return ACCENT_PATTERN.test(text) ? text : null;
}

function parse(hex: string): Rgb {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function mix(a: Rgb, b: Rgb, share: number): Rgb {
  return a.map((c, i) => c + (b[i]! - c) * share) as unknown as Rgb;
}

function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: Rgb | string, b: Rgb | string): number {
  const la = luminance(typeof a === 'string' ? parse(a) : a);
  const lb = luminance(typeof b === 'string' ? parse(b) : b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** The colour moved toward `toward` in small steps until it reads on every surface (or has arrived). */
function readable(color: Rgb, toward: Rgb, surfaces: readonly Rgb[]): Rgb {
  for (let share = 0; share <= 1; share += 0.05) {
    const candidate = mix(color, toward, share);
    if (surfaces.every((s) => contrast(candidate, s) >= MIN_CONTRAST)) return candidate;
  }
  return toward;
}

export interface AccentScheme {
  accent: string;
  hover: string;
  soft: string;
  on: string;
}

export interface AccentPalette {
  light: AccentScheme;
  dark: AccentScheme;
}

export function accentPalette(hex: string): AccentPalette {
  const picked = parse(hex);
  const light = readable(picked, BLACK, LIGHT_SURFACES);
  const dark = readable(picked, WHITE, DARK_SURFACES);
  const on = (c: Rgb) => (contrast(c, WHITE) >= contrast(c, INK) ? '#ffffff' : toHex(INK));
  return {
    light: {
      accent: toHex(light),
      hover: toHex(mix(light, BLACK, 0.15)),
      soft: toHex(mix(light, WHITE, 0.9)),
      on: on(light),
    },
    dark: {
      accent: toHex(dark),
      hover: toHex(mix(dark, WHITE, 0.25)),
      soft: toHex(mix(dark, DARK_SURFACE, 0.82)),
      on: on(dark),
    },
  };
}

/** The stylesheet that overrides style.css's accent properties (served at themePath(accent)). */
export function themeCss(hex: string): string {
  const { light, dark } = accentPalette(hex);
  const props = (s: AccentScheme) =>
    `--accent: ${s.accent}; --accent-hover: ${s.hover}; --accent-soft: ${s.soft}; --accent-on: ${s.on};`;
  return `/* Accent ${hex}, chosen in the instance settings. */
:root { ${props(light)} }
@media (prefers-color-scheme: dark) {
  :root { ${props(dark)} }
}
`;
}

/** The theme's address: its name is the colour, so the file never changes meaning and any process can serve it. */
export function themePath(hex: string): string {
  return `/theme/${hex.slice(1)}.css`;
}

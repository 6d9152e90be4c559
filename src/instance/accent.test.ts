import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accentPalette, contrast, normalizeAccent, themeCss, themePath } from './accent.ts';

test('accents are written #rrggbb in lower case; anything else is refused', () => {
  assert.equal(normalizeAccent('#0F766E'), '#0f766e');
  assert.equal(normalizeAccent(' 0f766e '), '#0f766e');
  assert.equal(normalizeAccent('#abc'), '#aabbcc');
  for (const bad of ['', '#12345', '#1234567', 'red', '#ggg000', '#0f766e;}body{x', 'url(x)', '#0f766e\n'])
    assert.equal(normalizeAccent(bad.replace(/\n$/, '\nx')), null, bad);
});

test('whatever the colour picked, links read on both schemes (contrast 4.5:1 at least)', () => {
  for (const picked of ['#ffff00', '#000000', '#ffffff', '#0f766e', '#4338ca', '#777777', '#ff00ff']) {
    const { light, dark } = accentPalette(picked);
    for (const surface of ['#ffffff', '#f7f8fa']) assert.ok(contrast(light.accent, surface) >= 4.5, `${picked} light`);
    for (const surface of ['#0d1117', '#151b24']) assert.ok(contrast(dark.accent, surface) >= 4.5, `${picked} dark`);
    assert.ok(contrast(light.accent, light.on) >= 4.5, `${picked}: text on a light-scheme button`);
    assert.ok(contrast(dark.accent, dark.on) >= 4.5, `${picked}: text on a dark-scheme button`);
  }
});

test('a colour that reads already is kept as picked in the light scheme', () => {
  assert.equal(accentPalette('#0f766e').light.accent, '#0f766e');
  assert.notEqual(accentPalette('#ffff00').light.accent, '#ffff00', 'yellow on white is darkened');
});

test('the theme sets the accent properties for both schemes at an address named by the colour', () => {
  const css = themeCss('#0f766e');
  assert.match(
    css,
    /^:root \{ --accent: #0f766e; --accent-hover: #[0-9a-f]{6}; --accent-soft: #[0-9a-f]{6}; --accent-on: #ffffff; \}$/m,
  );
  assert.match(css, /@media \(prefers-color-scheme: dark\) \{\n {2}:root \{ --accent: #[0-9a-f]{6};/);
  assert.equal(themePath('#0f766e'), '/theme/0f766e.css');
});

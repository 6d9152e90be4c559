/**
 * Which Chromium the browser tests drive. Debian's (/usr/bin/chromium) when it is installed; else the headless
 * build in the npm dev dependency @sparticuz/chromium (Linux x64), unpacked on first use into
 * node_modules/.cache with the libraries it needs beyond glibc (NSS, expat) and a font, so that a machine
 * with nothing but Node runs the browser tests. PAPERBOY_TEST_CHROMIUM chooses: `system`, `bundled`, or the
 * path of a Chromium executable.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';
import { extract } from 'tar-stream';
import { REPO_ROOT } from '../helpers.ts';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_VARIABLE = 'PAPERBOY_TEST_CHROMIUM';

export interface Chromium {
  executablePath: string;
  /** The environment the browser process needs (the test process's own, plus the bundled build's paths). */
  env: Record<string, string | undefined>;
}

const HOW_TO_GET_CHROMIUM = `install Debian's (\`apt-get install -y chromium\`), or set ${CHROMIUM_VARIABLE} to the path of a Chromium executable`;

export async function findChromium(): Promise<Chromium> {
  const choice = process.env[CHROMIUM_VARIABLE] ?? '';
  if (choice === 'bundled' || (choice === '' && !existsSync(SYSTEM_CHROMIUM))) return bundledChromium();
  const path = choice === '' || choice === 'system' ? SYSTEM_CHROMIUM : choice;
  if (!existsSync(path))
    throw new Error(`Chromium is missing at ${path}: ${HOW_TO_GET_CHROMIUM}. Browser tests do not skip.`);
  return { executablePath: path, env: process.env };
}

async function bundledChromium(): Promise<Chromium> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the Chromium of @sparticuz/chromium runs on Linux x64 only, not ${process.platform} ${process.arch}: ${HOW_TO_GET_CHROMIUM}. Browser tests do not skip.`,
    );
  }
  const packageDir = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'paperboy-chromium', version);
  if (!existsSync(join(dir, 'chromium'))) await unpack(join(packageDir, 'bin'), dir);
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
    },
  };
}

/**
 * Unpacks into a fresh folder beside `dir`, renamed to `dir` when complete: an interrupted unpacking leaves no
 * half-written browser behind, and of two processes unpacking at once, the second to finish drops its copy.
 */
async function unpack(archives: string, dir: string): Promise<void> {
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.unpacking-`);
  try {
    await pipeline(
      createReadStream(join(archives, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(staging, 'chromium'), { mode: 0o755 }),
    );
    // Libraries built for Amazon Linux 2023 (lib/), and Open Sans (fonts/): the build's own companions.
    await untar(join(archives, 'al2023.tar.br'), staging);
    await untar(join(archives, 'fonts.tar.br'), staging);
    // The package's fonts.conf names its Lambda folders: this one names the fonts just unpacked, after the system's.
    writeFileSync(
      join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${dir}/fonts</dir>
  <cachedir>${dir}/fonts-cache</cachedir>
</fontconfig>
`,
    );
    try {
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(join(dir, 'chromium'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function untar(archive: string, into: string): Promise<void> {
  const entries = extract();
  const done = pipeline(createReadStream(archive), createBrotliDecompress(), entries);
  for await (const entry of entries) {
    const path = normalize(join(into, entry.header.name));
    if (!path.startsWith(into)) throw new Error(`${archive}: ${entry.header.name} lies outside the folder`);
    if (entry.header.type === 'directory') {
      mkdirSync(path, { recursive: true });
      entry.resume();
    } else if (entry.header.type === 'file') {
      mkdirSync(dirname(path), { recursive: true });
      await pipeline(entry, createWriteStream(path, { mode: entry.header.mode ?? 0o644 }));
    } else {
      entry.resume();
    }
  }
  await done;
}

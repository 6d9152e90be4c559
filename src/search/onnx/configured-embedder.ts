/**
 * Which embedder an instance uses: the model it learns from its own papers (the default), or an ONNX
 * sentence-transformer folder. Chosen by EMBEDDER=onnx:PATH (or EMBEDDER=learned) in the configuration, else
 * by `paperboy model use PATH`, which records the choice in MODEL_DIR/embedder.json.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { OnnxEmbedder, OnnxEmbedderOptions } from './onnx-embedder.ts';

export const EMBEDDER_CHOICE_FILE = 'embedder.json';

export type EmbedderChoice = { kind: 'learned' } | { kind: 'onnx'; path: string };

/** The part of the configuration (src/config.ts) that chooses the embedder. */
export type EmbedderSettings = Pick<Config, 'modelDir' | 'embedder'>;

export interface ResolvedChoice {
  choice: EmbedderChoice;
  /** Where the choice came from: "EMBEDDER", the embedder.json path, or "default". */
  source: string;
}

export class EmbedderChoiceError extends Error {}

const choiceFileSchema = z.strictObject({ embedder: z.string().min(1) });

/** ONNX model folders pulled by `paperboy model pull` live here. */
export function onnxModelsDir(modelDir: string): string {
  return join(modelDir, 'onnx');
}

/**
 * "learned", or "onnx:PATH" where PATH is a model folder: absolute, relative to the working directory, or
 * the name of a folder under MODEL_DIR/onnx (what `model pull` made).
 */
export function parseEmbedderChoice(value: string, modelDir: string): EmbedderChoice {
  const text = value.trim();
  if (text === 'learned') return { kind: 'learned' };
  const match = /^onnx:(.+)$/.exec(text);
  if (!match)
    throw new EmbedderChoiceError(`EMBEDDER: "${value}" is neither "learned" nor "onnx:PATH" (a model folder)`);
  return { kind: 'onnx', path: resolveModelFolder(match[1]!, modelDir) };
}

export function resolveModelFolder(path: string, modelDir: string): string {
  if (isAbsolute(path)) return path;
  const underModels = join(onnxModelsDir(modelDir), path);
  return !existsSync(resolve(path)) && existsSync(underModels) ? underModels : resolve(path);
}

export function formatEmbedderChoice(choice: EmbedderChoice): string {
  return choice.kind === 'learned' ? 'learned' : `onnx:${choice.path}`;
}

export async function readEmbedderChoice(settings: EmbedderSettings): Promise<ResolvedChoice> {
  if (settings.embedder)
    return { choice: parseEmbedderChoice(settings.embedder, settings.modelDir), source: 'EMBEDDER' };
  const file = join(settings.modelDir, EMBEDDER_CHOICE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { choice: { kind: 'learned' }, source: 'default' };
  }
  let parsed: z.infer<typeof choiceFileSchema>;
  try {
    parsed = choiceFileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new EmbedderChoiceError(
      `${file}: not {"embedder": "learned" | "onnx:PATH"} (${(error as Error).message.split('\n')[0]})`,
    );
  }
  return { choice: parseEmbedderChoice(parsed.embedder, settings.modelDir), source: file };
}

/** Records the choice for `paperboy model use`; choosing the learned model removes the file. */
export async function saveEmbedderChoice(modelDir: string, choice: EmbedderChoice): Promise<void> {
  const file = join(modelDir, EMBEDDER_CHOICE_FILE);
  if (choice.kind === 'learned') {
    await rm(file, { force: true });
    return;
  }
  await mkdir(modelDir, { recursive: true });
  await writeFile(file, `${JSON.stringify({ embedder: formatEmbedderChoice(choice) }, null, 2)}\n`);
}

/**
 * The configured ONNX embedder, loaded (in its worker thread), or null when the instance uses the model it
 * learns itself (SemanticIndexer keeps handling that one). Throws with a clear message when the configured
 * folder cannot be loaded: a configured model that silently falls back would make every search different
 * from what the operator chose.
 */
export async function loadConfiguredEmbedder(
  settings: EmbedderSettings,
  options: OnnxEmbedderOptions = {},
): Promise<OnnxEmbedder | null> {
  const { choice, source } = await readEmbedderChoice(settings);
  if (choice.kind === 'learned') return null;
  try {
    // onnxruntime-node is loaded only by instances that chose an ONNX model.
    const { OnnxEmbedder } = await import('./onnx-embedder.ts');
    return await OnnxEmbedder.load(choice.path, options);
  } catch (error) {
    throw new EmbedderChoiceError(
      `the ONNX model chosen by ${source} (${choice.path}) cannot be loaded: ${(error as Error).message}`,
    );
  }
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAnalysisSpec } from '../../client/analysis-dsl/index.js';
import { projectRoot } from '../../client/project-paths.js';
import type { AnalysisSpec } from '../../common/analysis-spec.js';
import { FakeLlmScriptSchema, type FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';

/** The three example contracts `llmos analyze` demonstrates on. */
export const exampleContracts = path.join(projectRoot, 'examples', 'analysis', 'contracts');

/** `examples/analysis/contracts.spec`, parsed. */
export function exampleContractsSpec(): AnalysisSpec {
  const parsed = parseAnalysisSpec(
    readFileSync(path.join(projectRoot, 'examples', 'analysis', 'contracts.spec'), 'utf8'),
  );
  if (!parsed.ok) throw new Error(`contracts.spec does not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.spec;
}

/**
 * `scripted:demo-analysis` as a fake-server script, every reply with the given usage (so a
 * priced model costs a known amount per call) and optional extra fields (a delay...).
 */
export function demoAnalysisScript(
  reply: { usage?: { inputTokens: number; outputTokens: number }; delayMs?: number } = {},
): FakeLlmScript {
  const script = FakeLlmScriptSchema.parse(
    JSON.parse(readFileSync(path.join(projectRoot, 'examples', 'scripted', 'demo-analysis.json'), 'utf8')),
  );
  return {
    rules: script.rules.map((rule) => ({ ...rule, reply: { ...rule.reply, ...reply } })),
  };
}

/** The document and chunk an extraction request is about, from the rendered prompt. */
export function chunkOf(lastUserMessage: string | undefined): string | undefined {
  const match = /Document: (.+) \(chunk (\d+)\)/.exec(lastUserMessage ?? '');
  return match ? `${match[1]}#${match[2]}` : undefined;
}

import { patched } from '@temporalio/workflow';
import type { AnalysisSpec } from '../../common/analysis-spec.js';
import type { RunGuards } from '../lib/run-guards.js';

/**
 * The spec's own words, one line each, as its prompts show them: the run's name, each field's
 * description, what to identify and what to write. Field names and compare items are
 * identifiers the schemas use, not prose.
 */
function specLines(spec: AnalysisSpec): string[] {
  return [
    spec.name,
    ...spec.fields.map((field) => field.description ?? ''),
    ...spec.identify,
    ...spec.output,
  ].map((line) => line.replace(/[\r\n]+/g, ' '));
}

/** `spec` with its lines replaced, in `specLines` order. */
function withLines(spec: AnalysisSpec, lines: readonly string[]): AnalysisSpec {
  const at = (index: number) => lines[index]!;
  const fields = spec.fields.map((field, index) =>
    field.description === undefined ? field : { ...field, description: at(1 + index) },
  );
  const identifyFrom = 1 + spec.fields.length;
  const outputFrom = identifyFrom + spec.identify.length;
  return {
    ...spec,
    name: at(0),
    fields,
    identify: spec.identify.map((_item, index) => at(identifyFrom + index)),
    output: spec.output.map((_item, index) => at(outputFrom + index)),
  };
}

/**
 * The spec through the run's input stage, as a question or a task is in the other jobs: the
 * spec to go on with (its personal data masked, line by line) or why it was blocked. Runs
 * recorded before this step, or without guards, go on with the spec as it is.
 */
export async function judgeSpec(
  guards: RunGuards | undefined,
  spec: AnalysisSpec,
): Promise<{ spec: AnalysisSpec } | { blocked: string }> {
  if (!guards || !patched('analysis-input-guard')) return { spec };
  const lines = specLines(spec);
  const text = lines.join('\n');
  const judged = await guards.check('input', 'spec', text);
  if ('blocked' in judged) return judged;
  if (judged.text === text) return { spec };
  // Masking replaces values within a line and never a line break: the lines map back one to one.
  const masked = judged.text.split('\n');
  if (masked.length !== lines.length) return { blocked: 'the spec could not be masked line by line' };
  return { spec: withLines(spec, masked) };
}

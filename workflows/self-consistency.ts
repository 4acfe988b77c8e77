import { executeChild, isCancellation, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { parseConfidence, voteAnswers } from '../common/answer-vote.js';
import {
  SelfConsistencyInputSchema,
  type SampleOutcome,
  type SelfConsistencyInput,
  type SelfConsistencyRequest,
  type SelfConsistencyResult,
} from '../common/self-consistency.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { childRunAttributes, recordRunOutcome } from './lib/run-search-attributes.js';
import { addTotals, emptyTotals } from '../common/run-totals.js';
import { planSolveVerifyWorkflow } from './psv.js';
import { reactAgentWorkflow } from './agent.js';
import { RunGuards } from './lib/run-guards.js';

/** Runs one sample as a child workflow; a sample whose run fails counts as one without an answer. */
async function runSample(
  input: SelfConsistencyInput,
  index: number,
  guards: RunGuards | undefined,
): Promise<SampleOutcome> {
  const workflowId = `${workflowInfo().workflowId}/sample-${index + 1}`;
  const { run } = input;
  const options = {
    workflowId,
    ...childRunAttributes(
      input.recordSearchAttributes,
      run.workflow === 'psv' ? 'psv' : 'agent',
      run.request.model,
    ),
    staticSummary: `self-consistency sample ${index + 1} of ${input.samples}`,
  };
  const common = {
    temperature: input.temperature,
    recordSearchAttributes: input.recordSearchAttributes,
    // Every sample masks into the run's vault: one value, one placeholder, whichever sample saw it.
    ...(guards ? { piiVault: guards.run.vaultId } : {}),
  };
  try {
    if (run.workflow !== 'psv') {
      // Only the answer and the totals are read here: the sample's trace stays in the blob store.
      const result = await executeChild(reactAgentWorkflow, {
        ...options,
        args: [{ ...run.request, ...common, resultTrace: 'stored' }],
      });
      const confidence = parseConfidence(result.answer);
      return {
        workflowId,
        answer: result.answer,
        ...(confidence !== undefined ? { confidence } : {}),
        stopReason: result.stopReason,
        totals: result.totals,
        ...(result.piiVault ? { masked: true } : {}),
      };
    }
    const result = await executeChild(planSolveVerifyWorkflow, {
      ...options,
      args: [{ ...run.request, ...common }],
    });
    return {
      workflowId,
      answer: result.answer,
      ...(result.confidence !== undefined ? { confidence: result.confidence } : {}),
      stopReason: result.stopReason,
      totals: result.totals,
      ...(result.piiVault ? { masked: true } : {}),
    };
  } catch (error) {
    if (isCancellation(error)) throw error;
    return {
      workflowId,
      answer: null,
      stopReason: `error: ${describeFailure(error).message}`,
      totals: emptyTotals,
    };
  }
}

/**
 * Self-consistency: the same request sampled N times in parallel at a temperature, the answers
 * normalized and majority-voted (weighted by the models' stated confidence where given), and the
 * agreement ratio reported as the consistency score. Each sample is a child workflow with the
 * request's own caps, so the run can spend at most N times those caps.
 */
export async function selfConsistencyWorkflow(
  request: SelfConsistencyRequest,
): Promise<SelfConsistencyResult> {
  const input = parseWorkflowInput(SelfConsistencyInputSchema, request);
  // The samples judge their own texts; the run gives them one vault (none in runs recorded before).
  const guards = RunGuards.start(input.run.request);
  setCurrentDetails(`${input.samples} ${input.run.workflow} samples at temperature ${input.temperature}`);
  const samples = await Promise.all(
    Array.from({ length: input.samples }, (_unused, index) => runSample(input, index, guards)),
  );
  const vote = voteAnswers(samples, input.answerKind);
  const totals = samples.reduce((sum, sample) => addTotals(sum, sample.totals), emptyTotals);
  const stopReason = vote.answer === null ? 'no_answer' : 'answer';
  recordRunOutcome(input.recordSearchAttributes, totals, stopReason);
  setCurrentDetails(
    `${stopReason}: consistency ${vote.consistency.toFixed(2)} over ${input.samples} samples`,
  );
  const masked = guards && samples.some((sample) => sample.masked);
  return { ...vote, stopReason, samples, totals, ...(masked ? { piiVault: guards.run.vaultId } : {}) };
}

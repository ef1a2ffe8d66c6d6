/**
 * One entry point for the LLM-in-the-loop methods, for the cluster worker and the command line:
 * runs ClusterFusion or shared pseudo-labels through their stage, and returns the clusters, what
 * the run keeps of the method (LlmMethodRecord) and the prompt log, trimmed so a run over many
 * texts stays a reasonable size in IndexedDB and in exports.
 */
import type { LlmEngine } from '../llm/engine';
import type { PromptLogEntry } from '../llm/naming';
import type { ClusterStageOutput } from '../pipeline';
import type { LlmMethodRecord, Matrix } from '../types';
import type { ClusterFusionCheckpoint, ClusterFusionSettings } from './clusterfusion';
import type { PseudoLabelCheckpoint, PseudoLabelSettings } from './pseudolabels';
import { clusterFusionStage, pseudoLabelStage, type ClusterFusionStageInput, type ClusterFusionStageOutput, type MethodStageOptions, type PseudoLabelStageOutput } from './stage';

export type LlmMethodSettings = ({ kind: 'clusterfusion' } & ClusterFusionSettings) | ({ kind: 'pseudolabels' } & PseudoLabelSettings);
export type LlmMethodCheckpoint = ClusterFusionCheckpoint | PseudoLabelCheckpoint;

export interface LlmMethodInput extends Omit<ClusterFusionStageInput, 'clusterfusion'> {
  method: LlmMethodSettings;
}

export interface LlmMethodOutput {
  clustered: ClusterStageOutput;
  record: LlmMethodRecord;
  promptLog: PromptLogEntry[];
}

/** Prompt-log entries kept whole; later ones keep their answer and outcome, not the prompt sent. */
export const FULL_LOG_ENTRIES = 400;

export async function llmMethodStage(
  input: LlmMethodInput,
  deps: { engine: LlmEngine; embed: (texts: string[], signal?: AbortSignal) => Promise<Matrix> },
  opts: MethodStageOptions<LlmMethodCheckpoint> = {},
): Promise<LlmMethodOutput> {
  const { method, ...base } = input;
  const { kind, ...settings } = method;
  // What both methods' runs keep alike.
  const recordOf = (r: ClusterFusionStageOutput | PseudoLabelStageOutput): LlmMethodRecord => ({
    kind,
    settings: { ...settings },
    llmCalls: r.llmCalls,
    fallbacks: r.fallbacks,
    tokens: r.tokens,
    notes: r.notes,
  });
  const common = (r: ClusterFusionStageOutput | PseudoLabelStageOutput) => ({ clustered: r.clustered, promptLog: trimLog(r.promptLog) });
  if (kind === 'clusterfusion') {
    const r = await clusterFusionStage({ ...base, clusterfusion: settings as ClusterFusionSettings }, deps, opts as MethodStageOptions<ClusterFusionCheckpoint>);
    return {
      ...common(r),
      record: { ...recordOf(r), topics: r.topics.map((t) => ({ name: t.name, description: t.description, size: t.size, clusterId: t.clusterId })) },
    };
  }
  const r = await pseudoLabelStage({ ...base, pseudolabels: settings as PseudoLabelSettings }, deps, opts as MethodStageOptions<PseudoLabelCheckpoint>);
  return {
    ...common(r),
    record: {
      ...recordOf(r),
      notes: [...r.notes, `neighbours found ${r.knnMethod === 'exact' ? 'exactly' : 'with an approximate (IVF) index'}`],
      labels: r.labels,
      rounds: r.rounds,
      converged: r.converged,
      changedPerRound: r.changedPerRound,
    },
  };
}

function trimLog(log: readonly PromptLogEntry[]): PromptLogEntry[] {
  if (log.length <= FULL_LOG_ENTRIES) return log.slice();
  return log.map((e, i) => (i < FULL_LOG_ENTRIES ? e : { ...e, messages: [], notes: [...e.notes, 'prompt not kept (the log keeps the first prompts whole)'] }));
}

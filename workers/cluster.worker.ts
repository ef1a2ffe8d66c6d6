/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { hierarchyStage, type HierarchyStageInput, type HierarchyStageOutput } from '../src/core/hierarchy/stage';
import { bridgedEngine, type EngineInfo, type RemoteGenerate } from '../src/core/llm/bridge';
import { nameFlatClusters } from '../src/core/llm/name-flat';
import type { NamingOptions } from '../src/core/llm/naming';
import { clusterStage, type ClusterStageInput, type ClusterStageOutput } from '../src/core/pipeline';
import type { Matrix, Progress } from '../src/core/types';
import type { PromptLogEntry } from '../src/core/hierarchy/tree';
import { llmMethodStage, type LlmMethodCheckpoint, type LlmMethodInput, type LlmMethodOutput } from '../src/core/methods/run-method';

/** The LLM, when one names the clusters: its description and its generate(), proxied. */
export interface LlmLink {
  info: EngineInfo;
  naming?: Omit<NamingOptions, 'topicSeed' | 'level' | 'signal' | 'onProgress'>;
}

export type RemoteEmbed = (texts: string[]) => Promise<Matrix>;

const service = {
  async cluster(
    input: ClusterStageInput,
    onProgress: (p: Progress) => void,
    llm?: LlmLink,
    generate?: RemoteGenerate,
  ): Promise<ClusterStageOutput & { promptLog?: PromptLogEntry[] }> {
    const out: ClusterStageOutput & { promptLog?: PromptLogEntry[] } = await clusterStage(input, { onProgress });
    if (llm && generate) {
      const t0 = performance.now();
      const named = await nameFlatClusters(out.clusters, input.texts, bridgedEngine(llm.info, generate), {
        ...llm.naming,
        onProgress: (p) => onProgress({ ...p, stage: 'name' }),
      });
      out.clusters = named.clusters;
      out.promptLog = named.log;
      out.timings.name = (performance.now() - t0) / 1000;
    }
    return Comlink.transfer(out, [out.assignments.buffer, out.coords.buffer]);
  },

  async hierarchy(
    input: HierarchyStageInput,
    onProgress: (p: Progress) => void,
    llm?: LlmLink,
    generate?: RemoteGenerate,
    embed?: RemoteEmbed,
  ): Promise<HierarchyStageOutput> {
    const out = await hierarchyStage(
      { ...input, naming: llm?.naming },
      { engine: llm && generate ? bridgedEngine(llm.info, generate) : null, embedDescriptions: embed ? (texts) => embed(texts) : undefined },
      { onProgress },
    );
    return Comlink.transfer(out, [out.clustered.assignments.buffer, out.clustered.coords.buffer, out.tree.itemLeaf.buffer]);
  },

  /** ClusterFusion or shared pseudo-labels: the LLM forms the clusters. Checkpoints go to the page. */
  async llmMethod(
    input: LlmMethodInput,
    onProgress: (p: Progress) => void,
    llm: LlmLink,
    generate: RemoteGenerate,
    embed: RemoteEmbed,
    onCheckpoint?: (cp: LlmMethodCheckpoint) => Promise<void>,
    resume?: LlmMethodCheckpoint,
  ): Promise<LlmMethodOutput> {
    const out = await llmMethodStage(
      input,
      { engine: bridgedEngine(llm.info, generate), embed: (texts) => embed(texts) },
      { onProgress, onCheckpoint, resume },
    );
    return Comlink.transfer(out, [out.clustered.assignments.buffer, out.clustered.coords.buffer]);
  },
};

export type ClusterService = typeof service;
Comlink.expose(service);

/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { clusterStage, type ClusterStageInput, type ClusterStageOutput } from '../src/core/pipeline';
import type { Progress } from '../src/core/types';

const service = {
  async cluster(input: ClusterStageInput, onProgress: (p: Progress) => void): Promise<ClusterStageOutput> {
    const out = await clusterStage(input, { onProgress });
    return Comlink.transfer(out, [out.assignments.buffer, out.coords.buffer]);
  },
};

export type ClusterService = typeof service;
Comlink.expose(service);

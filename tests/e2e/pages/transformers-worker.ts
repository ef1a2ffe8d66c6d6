/// <reference lib="webworker" />
// Test worker: builds TransformersEmbedder exactly as the app's embed worker would and embeds texts.
import { env } from '@huggingface/transformers';
import { TransformersEmbedder, type DeviceChoice } from '../../../src/core/embed/transformers';
import type { ModelSource } from '../../../src/core/embed/model-source';
import type { EmbedderInfo, Progress } from '../../../src/core/types';

export interface EmbedRequest {
  model: string;
  dtype?: string;
  device: DeviceChoice;
  source: ModelSource;
  texts: string[];
  batchSize?: number;
}

export type EmbedReply =
  | { type: 'progress'; progress: Progress }
  | {
      type: 'done';
      info: EmbedderInfo;
      fallbackReason?: string;
      maxLength: number;
      data: Float32Array;
      rows: number;
      cols: number;
      /** What navigator.gpu offered inside the worker: null when no adapter. */
      adapter: { vendor: string; architecture: string } | null;
      /** Whether ONNX Runtime's WebGPU backend holds a GPUDevice (it only does once it initialised). */
      ortGpuDevice: boolean;
      loadMs: number;
      embedMs: number;
    }
  | { type: 'error'; message: string };

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
}
type GpuLike = { requestAdapter(): Promise<{ info?: AdapterInfoLike } | null> };

async function adapterInfo(): Promise<{ vendor: string; architecture: string } | null> {
  const gpu = (navigator as WorkerNavigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return null;
  const a = await gpu.requestAdapter().catch(() => null);
  return a ? { vendor: a.info?.vendor ?? '', architecture: a.info?.architecture ?? '' } : null;
}

function ortWebGpuDevice(): boolean {
  const webgpu = env.backends.onnx.webgpu as { device?: unknown } | undefined;
  try {
    return webgpu?.device != null;
  } catch {
    return false; // the getter throws before the backend initialised
  }
}

const post = (msg: EmbedReply, transfer: Transferable[] = []): void => (self as DedicatedWorkerGlobalScope).postMessage(msg, transfer);

self.onmessage = async (e: MessageEvent<EmbedRequest>) => {
  const req = e.data;
  try {
    const adapter = await adapterInfo();
    const t0 = performance.now();
    const embedder = await TransformersEmbedder.create({
      model: req.model,
      dtype: req.dtype,
      device: req.device,
      source: req.source,
      onLoadProgress: (progress) => post({ type: 'progress', progress }),
    });
    const t1 = performance.now();
    const m = await embedder.embed(req.texts, { batchSize: req.batchSize, onProgress: (progress) => post({ type: 'progress', progress }) });
    const t2 = performance.now();
    post(
      {
        type: 'done',
        info: embedder.info,
        fallbackReason: embedder.fallbackReason,
        maxLength: embedder.maxLength,
        data: m.data,
        rows: m.rows,
        cols: m.cols,
        adapter,
        ortGpuDevice: ortWebGpuDevice(),
        loadMs: t1 - t0,
        embedMs: t2 - t1,
      },
      [m.data.buffer],
    );
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? `${err.message}${err.cause ? ` (cause: ${String(err.cause)})` : ''}` : String(err) });
  }
};

import type { CacheKey, VectorCache } from './cached';

/** An in-memory VectorCache (CLI and tests). */
export class MemoryVectorCache implements VectorCache {
  private readonly map = new Map<string, Float32Array>();

  private k(key: CacheKey, hash: string): string {
    return `${key.id}\u0000${key.model}\u0000${key.dtype}\u0000${hash}`;
  }

  get size(): number {
    return this.map.size;
  }

  async get(key: CacheKey, hashes: string[]): Promise<(Float32Array | undefined)[]> {
    return hashes.map((h) => this.map.get(this.k(key, h)));
  }

  async put(key: CacheKey, hashes: string[], vectors: Float32Array[]): Promise<void> {
    hashes.forEach((h, i) => this.map.set(this.k(key, h), vectors[i]));
  }
}

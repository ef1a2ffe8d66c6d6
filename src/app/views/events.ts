/** Detail of the `cluster-select` event all three views dispatch; `null` clears the selection. */
export interface ClusterSelectDetail {
  cluster: number | null;
}

export type ClusterSelectEvent = CustomEvent<ClusterSelectDetail>;

declare global {
  interface HTMLElementEventMap {
    'cluster-select': ClusterSelectEvent;
  }
  interface DocumentEventMap {
    'cluster-select': ClusterSelectEvent;
  }
}

/** Dispatches `cluster-select`; it bubbles out of shadow roots so the app shell can listen once. */
export function fireClusterSelect(target: EventTarget, cluster: number | null): void {
  target.dispatchEvent(
    new CustomEvent<ClusterSelectDetail>('cluster-select', { detail: { cluster }, bubbles: true, composed: true }),
  );
}

/** Display name of a cluster id given names indexed by id. */
export function clusterLabel(id: number, names: readonly string[] | undefined): string {
  if (id < 0) return 'Noise';
  return names?.[id] || `Cluster ${id}`;
}

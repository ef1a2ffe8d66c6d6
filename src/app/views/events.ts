/** Detail of the `cluster-select` event all three views dispatch; `null` clears the selection. */
export interface ClusterSelectDetail {
  cluster: number | null;
}

export type ClusterSelectEvent = CustomEvent<ClusterSelectDetail>;

/** Detail of the `node-select` event the hierarchy views dispatch; `null` means the whole tree (no node). */
export interface NodeSelectDetail {
  nodeId: string | null;
}

export type NodeSelectEvent = CustomEvent<NodeSelectDetail>;

declare global {
  interface HTMLElementEventMap {
    'cluster-select': ClusterSelectEvent;
    'node-select': NodeSelectEvent;
  }
  interface DocumentEventMap {
    'cluster-select': ClusterSelectEvent;
    'node-select': NodeSelectEvent;
  }
}

/** Dispatches a view event that bubbles out of shadow roots, so the app shell can listen once. */
function fire<T>(target: EventTarget, type: string, detail: T): void {
  target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

/** Dispatches `cluster-select`. */
export function fireClusterSelect(target: EventTarget, cluster: number | null): void {
  fire<ClusterSelectDetail>(target, 'cluster-select', { cluster });
}

/** Dispatches `node-select` (a hierarchy node by id, or `null` for the whole tree). */
export function fireNodeSelect(target: EventTarget, nodeId: string | null): void {
  fire<NodeSelectDetail>(target, 'node-select', { nodeId });
}

/** Display name of a cluster id given names indexed by id. */
export function clusterLabel(id: number, names: readonly string[] | undefined): string {
  if (id < 0) return 'Noise';
  return names?.[id] || `Cluster ${id}`;
}

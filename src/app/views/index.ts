/** The explorer's views; importing this registers <cst-scatter>, <cst-cluster-list>, <cst-cluster-detail>. */
export { ScatterView } from './scatter-view';
export { ClusterList } from './cluster-list';
export { ClusterDetail } from './cluster-detail';
export { MemberList, PAGE_SIZE } from './member-list';
export { clusterColor, clusterPalette, NOISE_COLOR, PALETTE_SIZE } from './palette';
export { fireClusterSelect, clusterLabel, type ClusterSelectDetail, type ClusterSelectEvent } from './events';
export { fireNodeSelect, type NodeSelectDetail, type NodeSelectEvent } from './events';
export { SweepChart } from './sweep-chart';
export { ConfusionView } from './confusion-view';
export { RunCompare } from './run-compare';
export { TreemapView } from './treemap-view';
export { HierarchyList } from './hierarchy-list';

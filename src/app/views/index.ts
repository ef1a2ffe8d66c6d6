/** The explorer's views; importing this registers <cst-scatter>, <cst-cluster-list>, <cst-cluster-detail>. */
export { ScatterView } from './scatter-view';
export { ClusterList } from './cluster-list';
export { ClusterDetail, PAGE_SIZE } from './cluster-detail';
export { clusterColor, clusterPalette, NOISE_COLOR, PALETTE_SIZE } from './palette';
export { fireClusterSelect, clusterLabel, type ClusterSelectDetail, type ClusterSelectEvent } from './events';
export { SweepChart } from './sweep-chart';
export { ConfusionView } from './confusion-view';
export { RunCompare } from './run-compare';

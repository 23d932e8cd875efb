// replication/: partition roles (leader/follower) from the cluster metadata, the follower fetch loop,
// ISR and high-watermark tracking and leader-epoch truncation.
export { ClusterView, type ClusterViewListener } from './cluster-view.js';
export { ReplicaManager, type ReplicaManagerOptions } from './replica-manager.js';
export { LeaderPartition, type LeaderPartitionOptions } from './leader-partition.js';
export { FollowerFetcher, type FollowerFetcherOptions, type FollowedPartition } from './follower-fetcher.js';

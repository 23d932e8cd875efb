// storage/: the segment store. On-disk formats are documented in ./README.md.
export { DEFAULT_FLUSH_POLICY, DEFAULT_LOG_CONFIG, type CleanupPolicy, type FlushPolicy, type LogConfig, type MessageTimestampType } from './log-config.js';
export { Log, type AppendResult, type LogOptions, type LogStats, type ReadResult } from './log.js';
export { LogManager, type CleanerPass, type LogManagerOptions } from './log-manager.js';
export { LogCleaner, type CleanResult, type CleanerOptions } from './cleaner.js';
export { applyRetention } from './retention.js';
export { OffsetIndex, OFFSET_INDEX_ENTRY_SIZE } from './offset-index.js';
export { TimeIndex, TIME_INDEX_ENTRY_SIZE } from './time-index.js';
export {
  LEADER_EPOCH_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  readLeaderEpochCheckpoint,
  readOffsetCheckpoint,
  writeFileAtomically,
  writeLeaderEpochCheckpoint,
  writeOffsetCheckpoint,
  type EpochEntry,
  type PartitionOffset,
} from './checkpoint.js';
export { segmentFileName, type ReadAllocator } from './segment.js';
export {
  nodeFileSystem,
  setStorageFileSystem,
  storageFs,
  type DirEntry,
  type FileSystem,
  type OpenFlags,
  type StorageFile,
} from './file-system.js';

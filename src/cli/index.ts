// The CLI toolkit shared by every command in commands/: base class, renderers, offset grammar, record
// JSON shape, --format templates, stdin readers and broker address resolution.
export * from './base-command.js';
export * from './broker-address.js';
export * from './consume-stream.js';
export * from './format-template.js';
export * from './key-values.js';
export * from './offset-spec.js';
export * from './produce-stream.js';
export * from './record-format.js';
export * from './render.js';
export * from './stdin.js';
export * from './group-view.js';
export * from './offset-reset.js';
export * from './replay.js';

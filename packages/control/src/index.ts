export * from './target.js'
export * from './topology.js'

export * from './docker.js'
export * from './native.js'
export * from './settle.js'
export * from './target.js'

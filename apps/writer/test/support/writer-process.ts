/** The writer as a real process in the e2e tests: its built main.js and the lifecycle's process helpers. */
export * from '../../../../packages/lifecycle/test/support/service-process.js'

/** apps/writer/dist/main.js: build first (`./pnpm --filter @production-lab/writer... build`) */
export const WRITER = new URL('../../dist/main.js', import.meta.url).pathname

/**
 * The `node` flags every app process starts with, natively (the supervisor) and in its image
 * (infra/docker/node.Dockerfile's CMD, checked against this list by infra/docker's tests).
 *
 * --max-semi-space-size (MiB): V8 grows its young generation with the allocation rate, and
 * keeps it. Under sustained overload the writer's new space grew to 128 MiB and its RSS from
 * 195 to 293 MB over three 6 s rounds of 200 clients (old space stayed ~27 MB); with 8 MiB
 * semi-spaces new space stays at 16 MiB and RSS at ~148 MB for the same rounds, at no
 * throughput cost visible on this machine (docs/benchmarks.md, "Memory under overload").
 * It must be a command-line flag: v8.setFlagsFromString after start-up does not resize the heap.
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']

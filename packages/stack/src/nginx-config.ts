/**
 * The load balancer's config: nginx.conf.template rendered for the native stack or for
 * compose. The variable set is the template's contract with both renderings.
 */
import { readFileSync } from 'node:fs'
import { NGINX_TEMPLATE_PATH } from './paths.js'
import { renderTemplate } from './render-template.js'
import { CONTAINER_APP_PORT } from './timings.js'
import { appPort, HEALTH_WATCHER, READERS, stackPorts, WRITER } from './topology.js'

export interface NginxVars {
  /** listen address of the public load balancer, e.g. 127.0.0.1:8080 or 8080 */
  LB_LISTEN: string
  /** listen address of the internal stub_status server */
  NGINX_STATUS_LISTEN: string
  WRITER_UPSTREAM: string
  READER_1_UPSTREAM: string
  READER_2_UPSTREAM: string
  /** pid file and temp paths live here; must be writable by the user nginx runs as */
  NGINX_RUNTIME_DIR: string
  /** file path, or /dev/stdout in a container */
  NGINX_ACCESS_LOG: string
  /** file path, or /dev/stderr in a container */
  NGINX_ERROR_LOG: string
  /** a whole second `access_log ...;` directive for mtail in compose, or empty */
  NGINX_LOG_EXPORTER_ACCESS_LOG: string
  /** a whole `resolver ...;` directive, or empty */
  NGINX_RESOLVER: string
  /** appended to every upstream `server` line: empty, or ` resolve` (nginx >= 1.27.3) */
  UPSTREAM_SERVER_FLAGS: string
}

export function renderNginxConfig(
  vars: NginxVars,
  template = readFileSync(NGINX_TEMPLATE_PATH, 'utf8'),
): string {
  return renderTemplate(template, { ...vars }, 'nginx.conf.template')
}

const [READER_1, READER_2] = READERS as [(typeof READERS)[0], (typeof READERS)[0]]

/** Upstream/target addresses shared by the nginx and Prometheus renderings (native stack of this offset). */
export function nativeAddresses(offset: number) {
  const PORTS = stackPorts(offset)
  return {
    WRITER_UPSTREAM: `127.0.0.1:${appPort(WRITER, offset)}`,
    READER_1_UPSTREAM: `127.0.0.1:${appPort(READER_1, offset)}`,
    READER_2_UPSTREAM: `127.0.0.1:${appPort(READER_2, offset)}`,
    WATCHER_TARGET: `127.0.0.1:${appPort(HEALTH_WATCHER, offset)}`,
    LB_LISTEN: `127.0.0.1:${PORTS.loadBalancer}`,
    NGINX_STATUS_LISTEN: `127.0.0.1:${PORTS.nginxStatus}`,
    NGINX_STATUS_TARGET: `127.0.0.1:${PORTS.nginxStatus}`,
    NGINX_EXPORTER_TARGET: `127.0.0.1:${PORTS.nginxExporter}`,
    PROMETHEUS_TARGET: `127.0.0.1:${PORTS.prometheus}`,
    NGINX_LOG_EXPORTER_TARGET: `127.0.0.1:${PORTS.nginxLogExporter}`,
  }
}

/**
 * An upstream server line's address, marked `down` when the stack knows the server is not
 * there (docs/load-balancing.md): nginx then never sends it a request, with no passive
 * failure counted. The compose follower writes the same marker (nginx-upstream-follower.sh).
 */
export function upstreamServer(address: string, down: boolean): string {
  return down ? `${address} down` : address
}

/**
 * The native stack's rendering: everything on 127.0.0.1, files under `runtimeDir`; the
 * readers named in `downReaders` are rendered `down` (the supervisor's membership follower).
 */
export function nativeNginxVars(
  runtimeDir: string,
  offset: number,
  downReaders: ReadonlySet<string> = new Set(),
): NginxVars {
  const { WRITER_UPSTREAM, READER_1_UPSTREAM, READER_2_UPSTREAM, LB_LISTEN, NGINX_STATUS_LISTEN } =
    nativeAddresses(offset)
  return {
    LB_LISTEN,
    NGINX_STATUS_LISTEN,
    WRITER_UPSTREAM,
    READER_1_UPSTREAM: upstreamServer(READER_1_UPSTREAM, downReaders.has(READER_1.name)),
    READER_2_UPSTREAM: upstreamServer(READER_2_UPSTREAM, downReaders.has(READER_2.name)),
    NGINX_RUNTIME_DIR: runtimeDir,
    NGINX_ACCESS_LOG: `${runtimeDir}/access.log`,
    NGINX_ERROR_LOG: `${runtimeDir}/error.log`,
    NGINX_LOG_EXPORTER_ACCESS_LOG: '',
    NGINX_RESOLVER: '',
    UPSTREAM_SERVER_FLAGS: '',
  }
}

/** Where nginx_lb writes the access-log copy nginx_log_exporter reads (a shared volume). */
export const COMPOSE_LOG_EXPORTER_FILE = '/var/log/nginx-lab/access.log'

/**
 * The compose rendering: service names on the compose network. `reResolve` turns on DNS
 * re-resolution (Docker's embedded DNS at 127.0.0.11), which needs nginx >= 1.27.3; leave
 * it off for images built on Debian's nginx 1.22.
 */
export function composeNginxVars(options: { reResolve: boolean }): NginxVars {
  const [reader1, reader2] = READERS.map((reader) => `${reader.name}:${CONTAINER_APP_PORT}`) as [
    string,
    string,
  ]
  return {
    LB_LISTEN: '8080',
    NGINX_STATUS_LISTEN: '8081',
    WRITER_UPSTREAM: `${WRITER.name}:${CONTAINER_APP_PORT}`,
    READER_1_UPSTREAM: reader1,
    READER_2_UPSTREAM: reader2,
    NGINX_RUNTIME_DIR: '/tmp/nginx',
    NGINX_ACCESS_LOG: '/dev/stdout',
    NGINX_ERROR_LOG: '/dev/stderr',
    NGINX_LOG_EXPORTER_ACCESS_LOG: `access_log ${COMPOSE_LOG_EXPORTER_FILE} lab_json;`,
    NGINX_RESOLVER: options.reResolve ? 'resolver 127.0.0.11 valid=1s ipv6=off;' : '',
    UPSTREAM_SERVER_FLAGS: options.reResolve ? ' resolve' : '',
  }
}

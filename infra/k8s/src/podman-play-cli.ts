/**
 * Writes the podman rendering of the lab overlay for scripts/k8s/kube-play.sh:
 *   node --import tsx infra/k8s/src/podman-play-cli.ts <out.yaml> <host port>   (ADMIN_TOKEN from the env)
 * and prints, as JSON on stdout, the pods to wait for and what podman does not model.
 */
import { writeFileSync } from 'node:fs'
import { podmanPlay, podmanPodName } from './podman-play.js'

const [out, hostPort] = process.argv.slice(2)
const adminToken = process.env.ADMIN_TOKEN
if (!out || !hostPort || !adminToken) {
  console.error('usage: ADMIN_TOKEN=... podman-play-cli.ts <out.yaml> <host port>')
  process.exit(2)
}
const play = podmanPlay({ adminToken, hostPort: Number(hostPort) })
writeFileSync(out, play.yaml, { mode: 0o600 })
console.log(
  JSON.stringify({
    pods: play.deployments.map(podmanPodName),
    notModeled: play.notModeled,
    changes: play.changes,
  }),
)

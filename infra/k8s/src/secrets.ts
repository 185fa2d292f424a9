/**
 * The lab's one Secret, never committed: kustomize's secretGenerator builds it from
 * `infra/k8s/base/secrets.env`, a file the user writes (and git ignores); see
 * docs/kubernetes.md. kustomize appends a content hash to the name and rewrites every
 * reference, so a changed secret rolls the pods that use it.
 */
export const SECRET_NAME = 'production-lab-secrets'
/** The file's keys: ADMIN_TOKEN (the apps' /admin bearer token), GRAFANA_ADMIN_PASSWORD. */
export const SECRET_KEYS = {
  adminToken: 'ADMIN_TOKEN',
  grafanaAdminPassword: 'GRAFANA_ADMIN_PASSWORD',
} as const
export const SECRETS_ENV_FILE = 'secrets.env'

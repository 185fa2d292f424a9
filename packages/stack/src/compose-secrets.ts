/**
 * Where the compose stack keeps the secrets it generates on first start, so that no known
 * default (an admin token in the repository, Grafana's admin/admin) ever protects a stack:
 * docker-compose.yml's one-shot `secrets-init` service writes them to the `lab_secrets` volume,
 * the apps read the token through ADMIN_TOKEN_FILE, Grafana its password through
 * GF_SECURITY_ADMIN_PASSWORD__FILE, and the lab CLI reads the token out of app_slow.
 * docker-compose.yml restates these paths (YAML imports nothing); its test compares them.
 */

/** The volume's mount point in every container that reads a secret. */
export const COMPOSE_SECRETS_DIR = '/run/lab-secrets'
/** The apps' /admin bearer token: ADMIN_TOKEN from the host when set, else random. */
export const COMPOSE_ADMIN_TOKEN_FILE = `${COMPOSE_SECRETS_DIR}/admin-token`
/** Grafana's admin password: GRAFANA_ADMIN_PASSWORD from the host when set, else random. */
export const COMPOSE_GRAFANA_PASSWORD_FILE = `${COMPOSE_SECRETS_DIR}/grafana-admin-password`
/** The one-shot container that writes them (and logs where they are). */
export const COMPOSE_SECRETS_INIT = 'lab_secrets_init'
/** The token older versions of this repository fell back to: every stack must refuse it. */
export const RETIRED_DEFAULT_ADMIN_TOKEN = 'lab-admin-token'

# One image recipe for every Node app of the monorepo (apps/writer, apps/reader,
# apps/health-watcher), chosen with the build argument APP. Build context: the repository root.
#   docker build -f infra/docker/node.Dockerfile --build-arg APP=writer -t production-lab/writer .
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: the containerised apps compiled in the workspace; then one app alone with its
# production dependencies (pnpm deploy --prod).
FROM ${NODE_IMAGE} AS build
WORKDIR /repo
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
# The pnpm version pinned in package.json ("packageManager"), installed with the image's npm.
COPY package.json ./
RUN npm install --global --no-audit --no-fund --loglevel=error \
      "$(node -p 'require("./package.json").packageManager')"
# Dependencies change less often than sources: fetched from the lockfile alone, this layer
# stays cached across source edits.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --reporter=append-only
COPY . .
# Every containerised app compiled in one layer that does not depend on APP, so the second
# and third image reuse it instead of compiling the workspace again.
RUN pnpm install --offline --frozen-lockfile --reporter=append-only \
 && pnpm --filter "@production-lab/writer..." --filter "@production-lab/reader..." \
         --filter "@production-lab/health-watcher..." run build
# Declared only here, so every layer above is shared by the apps' builds.
ARG APP
RUN test -n "$APP" && test -f "apps/$APP/dist/main.js" \
      || { echo "node.Dockerfile: --build-arg APP=<writer|reader|health-watcher> names no built app under apps/ (got '$APP')" >&2; exit 1; } \
 && pnpm --filter "$(node -p "require('./apps/$APP/package.json').name")" deploy --prod /deploy

# --- runtime: Node, the compiled app and its production dependencies; nothing else.
FROM ${NODE_IMAGE}
ARG APP
LABEL org.opencontainers.image.title="production-lab-${APP}" \
      org.opencontainers.image.description="Production Lab: apps/${APP}"
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
WORKDIR /app
# Owned by root, so the unprivileged user cannot modify the code it runs.
COPY --from=build /deploy/package.json ./package.json
COPY --from=build /deploy/node_modules ./node_modules
COPY --from=build /deploy/dist ./dist
# The writer's data directory (WRITER_DATA_DIR), owned by the unprivileged user: a fresh named
# volume mounted here takes this ownership, so the read-only container can write its database.
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 8000
# `node` itself is the process that gets docker stop's SIGTERM (no npm/pnpm wrapper that
# would swallow it), and the lifecycle package drains on it.
STOPSIGNAL SIGTERM
# No curl in the image: Node's fetch asks the app's own /health (503 while draining).
# bash's /dev/tcp, not `node -e fetch(...)`: a check runs every few seconds inside the app's own
# CPU limit (app_slow has half a core), and starting a Node process for it costs ~50 ms of CPU
# each time, enough to delay the app's own answers on a busy machine; bash costs ~2 ms.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/$PORT && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]
# The flags of APP_NODE_FLAGS (packages/stack/src/node-flags.ts says why; a test compares them).
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]

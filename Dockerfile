# syntax=docker/dockerfile:1
# The llmos worker image: built by docker-compose.yml (`docker compose up --build` after code
# changes), or alone with `docker build -t llmos .`. It runs `llmos worker`, configured by the
# environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LLMOS_TASK_QUEUE, model keys).
#
# Two stages: the first compiles the package (`npm run build`: JavaScript in dist/ and the
# workflow bundles made ahead of time); the image is the production dependencies and dist/. The
# worker then runs on plain Node and loads its workflow bundle rather than webpacking one: it
# starts in about 2 s instead of 5-6, in some 250 MB less.
#
# Debian (glibc), not Alpine: the Temporal SDK's native core bridge ships prebuilt binaries for
# glibc Linux only.
FROM node:20.20-bookworm-slim AS build

WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-package.ts ./scripts/
COPY api ./api
COPY common ./common
COPY activities ./activities
COPY workflows ./workflows
COPY workers ./workers
COPY client ./client
COPY fake-llm ./fake-llm
COPY examples ./examples
COPY prompts ./prompts
COPY config ./config
RUN npm run build

FROM node:20.20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so that a change to the source reuses this layer.
# .npmrc keeps onnxruntime-node's install script from fetching GPU libraries outside npm.
COPY package.json package-lock.json .npmrc ./
# Install scripts: the native dependencies (@temporalio/core-bridge, @swc/core, esbuild) ship
# prebuilt binaries inside their npm packages (the core bridge's under releases/, @swc/core's and
# esbuild's as per-platform optional packages), so nothing is compiled or downloaded here, and their
# install scripts only check those binaries. The install works the same where npm 11 skips or blocks
# dependency install scripts.
# Leaner image: the core bridge ships one ~27 MB binary per OS and CPU; keep only this image's
# (best effort), then check that the bridge still loads.
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force \
  && ( cd node_modules/@temporalio/core-bridge/releases \
    && keep="$(node -p "require('../common.js').getPrebuiltTargetName()")" \
    && test -f "$keep/index.node" \
    && find . -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + \
    || echo "Kept all core-bridge binaries" ) \
  && ( cd node_modules/onnxruntime-node/bin/napi-v6 \
    && keep="$(node -p 'process.platform + "/" + process.arch')" \
    && test -f "$keep/onnxruntime_binding.node" \
    && find . -mindepth 2 -maxdepth 2 ! -path "./$keep" -exec rm -rf {} + \
    || echo "Kept all onnxruntime binaries" ) \
  && node -e "require('@temporalio/core-bridge'); require('onnxruntime-node')"

# bin/llmos.js runs dist/ when the sources are not beside it, as in an installed package.
COPY bin ./bin
COPY --from=build /app/dist ./dist

# Local state that the app may keep under its working folder (.llmos/) stays writable.
RUN mkdir -p /app/.llmos && chown node:node /app/.llmos

# Run as the image's unprivileged user; the code and node_modules stay owned by root, read-only.
USER node

CMD ["node", "bin/llmos.js", "worker"]

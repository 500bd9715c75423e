# syntax=docker/dockerfile:1
#
# netpol-preflight container image: `make image` (needs a container engine).
#
#   build      Node 24 with dev dependencies: npm ci + npm run build (tsc -> dist/)
#   prod-deps  Node 24, production dependencies only: npm ci --omit=dev
#   runtime    distroless Node 24: no shell, no package manager, UID 65532
#
# The `node` devDependency (a Node binary from npm, used by the npm scripts) is
# installed in the build stage only; the runtime runs the base image's own
# /nodejs/bin/node, the same major (24) as package.json's engines.
#
# Pin the bases by digest in production (BUILD_IMAGE=node:24-bookworm-slim@sha256:...).
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# --- build: compile TypeScript ---------------------------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: what the runtime needs from node_modules -----------------------------
# No production dependency has an install script, so none is run.
FROM ${BUILD_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime -----------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="netpol-preflight" \
      org.opencontainers.image.description="Validating admission webhook and CLI that simulates NetworkPolicy changes before they land" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
ENV NODE_ENV=production
# package.json is needed at runtime: "type": "module" makes dist/**/*.js ES modules.
# Everything is owned by root and read-only for the process.
COPY package.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The distroless `nonroot` user, numerically, so runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/nodejs/bin/node", "dist/cli/main.js"]
# Kubernetes passes its own args (manifests/base/deployment.yaml).
CMD ["serve"]

# syntax=docker/dockerfile:1
# LAN Sentinel add-on image. Since Supervisor 2026.04 BUILD_FROM is not injected: the base is named and pinned here.
# Stage 1 compiles the TypeScript service, the ingress UI and the Lovelace card, and builds better-sqlite3 for musl.
FROM ghcr.io/home-assistant/base:3.23 AS build
RUN apk add --no-cache nodejs npm python3 make g++
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY frontend-card ./frontend-card
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node dist/cli.js --version

# Stage 2: the runtime (s6-overlay v3 from the base image; config.yaml has init: false)
FROM ghcr.io/home-assistant/base:3.23
RUN apk add --no-cache nodejs nmap nmap-scripts tcpdump iproute2-minimal iputils-ping
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/frontend-card/dist ./frontend-card/dist
COPY addon/rootfs /

ARG BUILD_VERSION=0.1.0
ARG BUILD_ARCH=amd64
LABEL \
  io.hass.name="LAN Sentinel" \
  io.hass.description="Watches your LAN with nmap and reports devices, presence and risk to Home Assistant" \
  io.hass.url="https://github.com/lan-sentinel/lan-sentinel" \
  io.hass.type="app" \
  io.hass.version="${BUILD_VERSION}" \
  io.hass.arch="${BUILD_ARCH}" \
  org.opencontainers.image.title="LAN Sentinel" \
  org.opencontainers.image.source="https://github.com/lan-sentinel/lan-sentinel" \
  org.opencontainers.image.licenses="MIT"

# The service rewrites /data/.heartbeat every 30 s; a stale or missing heartbeat marks the container unhealthy.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 \
  CMD ["node", "/app/dist/healthcheck.js"]

# Container recipe for the meetbot (Node 24). It starts what deploy/meetbot.service starts: the
# compiled bot, `node dist/src/main.js --config <file>`, from /opt/meetbot, writing only its state
# folder (here the /data volume). Not built or run on the development machines (no Docker engine
# there): scripts/verify-deploy.sh checks that its start command and paths match the systemd unit,
# which is verified.
#
#   docker build -t meetbot .
#   docker run -d --name meetbot -v meetbot-data:/data meetbot
# /data/config.json: the production config with "database": {"path": "/data/bot.db"} and
# "http": {"enabled": true, "host": "0.0.0.0", "port": 8080} (for the health check and /metrics).

FROM node:24-bookworm-slim AS build
WORKDIR /opt/meetbot
# better-sqlite3 13 ships prebuilt binaries and the crypto engine is WebAssembly: no compiler needed.
COPY package.json package-lock.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Memory, as in deploy/meetbot.service: a 4 MiB young generation, jemalloc instead of glibc's malloc (one
# arena, no per-thread caches), and one full garbage collection after the start-up (--expose-gc,
# src/startup-gc.ts).
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/* \
 && ln -s "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/local/lib/libjemalloc.so.2
ENV NODE_OPTIONS="--max-semi-space-size=4 --expose-gc" LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 MALLOC_CONF=narenas:1,tcache:false
WORKDIR /opt/meetbot
COPY --from=build /opt/meetbot/package.json ./
COPY --from=build /opt/meetbot/node_modules ./node_modules
COPY --from=build /opt/meetbot/packages ./packages
COPY --from=build /opt/meetbot/dist ./dist
COPY migrations ./migrations
COPY notices ./notices
RUN groupadd --system meetbot \
 && useradd --system --gid meetbot --home-dir /data --shell /usr/sbin/nologin meetbot \
 && install -d -o meetbot -g meetbot -m 0750 /data
USER meetbot
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 while the database is reachable (http.enabled must be true, port 8080).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js", "--config", "/data/config.json"]
